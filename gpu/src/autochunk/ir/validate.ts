import { inferOutputs } from "../ops/registry.js";
import { DTYPES } from "./dtype.js";
import { describeNode, formatType } from "./format.js";
import type { Graph, Node } from "./graph.js";
import { isOp } from "./op.js";
import { sameShape } from "./shape.js";

/** A broken invariant of a graph; `nodeId` is the failing node, or null for graph-level faults. */
export class GraphValidationError extends Error {
  readonly nodeId: number | null;

  constructor(message: string, nodeId: number | null) {
    super(message);
    this.name = "GraphValidationError";
    this.nodeId = nodeId;
  }
}

/**
 * Checks every invariant of the IR and throws a GraphValidationError naming the first failing
 * node (op, attributes, input types, its type and name):
 * ids equal positions; inputs refer to earlier nodes (program order is topological); arity,
 * attributes and shapes agree with the op's rule (shapes re-inferred); names are unique;
 * `inputs` lists exactly the input nodes; outputs exist; loop bodies are valid graphs.
 * Run it between passes.
 *
 * @example
 * validate(graph); // throws GraphValidationError: validate: %5 softmax(...) ...: dim must be ...
 */
export function validate(graph: Graph): void {
  const names = new Set<string>();
  graph.nodes.forEach((node, position) => {
    const fail = (problem: string): never => {
      throw new GraphValidationError(
        `validate: ${safeDescribe(node, graph)}: ${problem}`,
        position,
      );
    };
    if (node.id !== position) fail(`id ${node.id} differs from its position ${position}`);
    if (!isOp(node.op)) fail(`unknown op ${JSON.stringify(node.op)}`);
    if (typeof node.name !== "string" || node.name === "")
      fail("the name must be a non-empty string");
    if (names.has(node.name)) fail(`the name "${node.name}" is used by an earlier node`);
    names.add(node.name);
    if (!DTYPES.includes(node.dtype)) fail(`unknown dtype ${String(node.dtype)}`);
    if (!Array.isArray(node.shape) || !node.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      fail("the shape must hold non-negative integers");
    }
    for (const id of node.inputs) {
      if (!Number.isInteger(id) || id < 0 || id >= position) {
        fail(`input %${id} is not an earlier node (nodes must be in topological program order)`);
      }
    }
    const inputs = node.inputs.map((id) => graph.nodes[id]!);
    let outputs;
    try {
      outputs = inferOutputs(node.op, node.attrs, inputs, node);
    } catch (e) {
      if (!(e instanceof RangeError || e instanceof TypeError)) throw e;
      return fail(e.message);
    }
    const [out] = outputs;
    if (out === undefined || !sameShape(out.shape, node.shape) || out.dtype !== node.dtype) {
      fail(`its rule infers ${out === undefined ? "nothing" : formatType(out)}`);
    }
    if (node.op === "chunk_loop") {
      for (const [body, what] of [
        [node.attrs.body, "body"],
        [node.attrs.tail, "tail"],
      ] as const) {
        if (body === null) continue;
        try {
          validate(body);
        } catch (e) {
          if (!(e instanceof GraphValidationError)) throw e;
          fail(`in its ${what}: ${e.message}`);
        }
      }
    }
  });
  checkEnds(graph);
}

function checkEnds(graph: Graph): void {
  const fail = (problem: string, nodeId: number | null = null): never => {
    throw new GraphValidationError(`validate: ${problem}`, nodeId);
  };
  const declared = new Set(graph.inputs);
  if (declared.size !== graph.inputs.length) fail("graph.inputs lists a node twice");
  for (const id of graph.inputs) {
    if (graph.nodes[id]?.op !== "input")
      fail(`graph.inputs lists %${id}, which is not an input node`, id);
  }
  for (const node of graph.nodes) {
    if (node.op === "input" && !declared.has(node.id)) {
      fail(`input node %${node.id} "${node.name}" is missing from graph.inputs`, node.id);
    }
  }
  if (graph.outputs.length === 0) fail("the graph has no outputs");
  for (const id of graph.outputs) {
    if (graph.nodes[id] === undefined) fail(`output %${id} is not a node`);
  }
}

// A malformed node may not even print; fall back to its raw fields.
function safeDescribe(node: Node, graph: Graph): string {
  try {
    return describeNode(node, graph);
  } catch {
    return `%${String(node.id)} ${String(node.op)} "${String(node.name)}"`;
  }
}
