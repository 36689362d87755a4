import type { TensorType } from "./dtype.js";
import type { Graph, Node } from "./graph.js";
import type { Op, OpAttrs } from "./op.js";
import { formatShape } from "./shape.js";

/**
 * A tensor type as printed: dtype then shape.
 *
 * @example
 * formatType({ shape: [2, 3], dtype: "f32" }); // "f32[2,3]"
 */
export function formatType(t: TensorType): string {
  return `${t.dtype}${formatShape(t.shape)}`;
}

/**
 * An op's attributes as printed (`dim=3`); parameter data and loop bodies are summarised.
 *
 * @example
 * formatAttrs("softmax", { dim: 3 }); // "dim=3"
 */
export function formatAttrs<O extends Op>(op: O, attrs: OpAttrs[O]): string {
  if (op === "param") {
    const { init } = attrs as OpAttrs["param"];
    const fields = Object.entries(init).filter(([k]) => k !== "kind" && k !== "data");
    return `${init.kind}(${fields.map(([k, v]) => `${k}=${String(v)}`).join(",")})`;
  }
  if (op === "chunk_loop") {
    const a = attrs as OpAttrs["chunk_loop"];
    const dims = a.inputDims.map((d) => (d === null ? "-" : d)).join(",");
    return `dims=[${dims}] out=[${a.outputDims.join(",")}] length=${a.length} chunk=${a.chunkSize}`;
  }
  return Object.entries(attrs)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? formatShape(v as number[]) : JSON.stringify(v)}`)
    .join(" ");
}

/**
 * One node as printed in programs and error messages:
 * `%5 softmax(%4) dim=3 : f32[1,12,64,64] "h0.attn.softmax"`, with input types when given a graph.
 *
 * @example
 * describeNode(graph.nodes[5]!, graph);
 */
export function describeNode(node: Node, graph?: Graph): string {
  const args = node.inputs
    .map((id) => {
      const input = graph?.nodes[id];
      return input === undefined ? `%${id}` : `%${id}: ${formatType(input)}`;
    })
    .join(", ");
  const attrs = formatAttrs(node.op, node.attrs);
  return `%${node.id} ${node.op}(${args})${attrs === "" ? "" : ` ${attrs}`} : ${formatType(node)} "${node.name}"`;
}

/**
 * The program as text, one node per line, loop bodies indented under their loop.
 *
 * @example
 * console.log(formatGraph(graph));
 */
export function formatGraph(graph: Graph, indent = "", title = "graph"): string {
  const lines = [`${indent}${title}(${graph.inputs.map((id) => `%${id}`).join(", ")}) {`];
  for (const node of graph.nodes) {
    lines.push(`${indent}  ${describeNode(node)}`);
    if (node.op === "chunk_loop") {
      lines.push(formatGraph(node.attrs.body, `${indent}    `, "body"));
      if (node.attrs.tail !== null)
        lines.push(formatGraph(node.attrs.tail, `${indent}    `, "tail"));
    }
  }
  lines.push(`${indent}  return ${graph.outputs.map((id) => `%${id}`).join(", ")}`, `${indent}}`);
  return lines.join("\n");
}
