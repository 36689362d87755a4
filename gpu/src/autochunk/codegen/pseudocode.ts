import { formatAttrs, formatType } from "../ir/format.js";
import type { Graph, Node } from "../ir/graph.js";
import { loopOutputTypes } from "../ir/graph.js";
import type { ChunkLoopAttrs } from "../ir/op.js";
import { VIEW_OPS } from "../ir/op.js";

/** `value[:, i:i+size]`: a slice along `dim` of a rank-`rank` value, trailing dims implied. */
function sliceText(value: string, dim: number, index: string, size: number): string {
  const dims = [...Array<string>(dim).fill(":"), `${index}:${index}+${size}`];
  return `${value}[${dims.join(", ")}]`;
}

function nodeLine(node: Node, args: readonly string[], indent: string): string {
  const attrs = formatAttrs(node.op, node.attrs);
  const call = `${node.op}(${[...args, ...(attrs === "" ? [] : [attrs])].join(", ")})`;
  const note = VIEW_OPS.has(node.op) ? " (view)" : "";
  return `${indent}${node.name} = ${call}  # ${formatType(node)}${note}`;
}

function writeLoop(
  loop: Node & { attrs: ChunkLoopAttrs },
  outputs: readonly string[],
  args: readonly string[],
  indent: string,
  depth: number,
  lines: string[],
): void {
  const { body, inputDims, outputDims, length, chunkSize } = loop.attrs;
  const index = "ijk"[depth] ?? `i${depth}`;
  const iterations = Math.ceil(length / chunkSize);
  lines.push(
    `${indent}# ${loop.name}: ${length} along the chunk dim in chunks of ${chunkSize} (${iterations} iterations)`,
  );
  loopOutputTypes(loop.attrs).forEach((type, k) => {
    lines.push(`${indent}${outputs[k]} = empty(${formatType(type)})  # preallocated output`);
  });
  const rest = length % chunkSize;
  const last = rest === 0 ? "" : `  # the last runs the tail body on ${rest}`;
  lines.push(`${indent}for ${index} in range(0, ${length}, ${chunkSize}):${last}`);
  const inner = `${indent}  `;
  const sliced = body.inputs.map((_, j) => {
    const dim = inputDims[j]!;
    return dim === null ? args[j]! : sliceText(args[j]!, dim, index, chunkSize);
  });
  const names = writeNodes(body, sliced, inner, depth + 1, lines);
  body.outputs.forEach((id, k) => {
    const target = sliceText(outputs[k]!, outputDims[k]!, index, chunkSize);
    lines.push(`${inner}${target} = ${names[id]}`);
  });
}

/** Writes `graph`'s nodes; `inputs` are the expressions its input nodes stand for. */
function writeNodes(
  graph: Graph,
  inputs: readonly string[],
  indent: string,
  depth: number,
  lines: string[],
): string[] {
  const names = graph.nodes.map((n) => n.name);
  graph.inputs.forEach((id, j) => (names[id] = inputs[j]!));
  // get_item names of loop outputs, by `${loop}:${index}`: the names their buffers print under.
  const items = new Map<string, string>();
  for (const node of graph.nodes) {
    if (node.op === "get_item") items.set(`${node.inputs[0]}:${node.attrs.index}`, node.name);
  }
  for (const node of graph.nodes) {
    const args = node.inputs.map((id) => names[id]!);
    if (node.op === "input" || node.op === "param") continue;
    if (node.op === "get_item" && graph.nodes[node.inputs[0]!]!.op === "chunk_loop") continue;
    if (node.op !== "chunk_loop") {
      lines.push(nodeLine(node, args, indent));
      continue;
    }
    const outputs = node.attrs.outputDims.map(
      (_, k) => items.get(`${node.id}:${k}`) ?? (k === 0 ? node.name : `${node.name}[${k}]`),
    );
    writeLoop(node, outputs, args, indent, depth, lines);
  }
  return names;
}

/**
 * A chunked (or any) program as readable pseudocode: one assignment per node with its type,
 * parameters by name, and each chunk loop as a `for` over slices of its chunk dim, its outputs
 * preallocated before it and written slice by slice.
 *
 * @example
 * console.log(formatPseudocode(plan.chunked));
 * // def program(x: f32[1,1024,768]):
 * //   chunk0 = empty(f32[1,1024,768])  # preallocated output
 * //   for i in range(0, 1024, 128):
 * //     attn.matmul = matmul(attn.q[:, :, i:i+128], attn.kT)  # f32[1,12,128,1024]
 */
export function formatPseudocode(graph: Graph, title = "program"): string {
  const signature = graph.inputs.map(
    (id) => `${graph.nodes[id]!.name}: ${formatType(graph.nodes[id]!)}`,
  );
  const params = graph.nodes.filter((n) => n.op === "param").length;
  const lines = [
    `def ${title}(${signature.join(", ")}):${params > 0 ? `  # ${params} parameters` : ""}`,
  ];
  const names = writeNodes(
    graph,
    graph.inputs.map((id) => graph.nodes[id]!.name),
    "  ",
    0,
    lines,
  );
  lines.push(`  return ${graph.outputs.map((id) => names[id]).join(", ")}`);
  return lines.join("\n");
}
