import type { TensorType } from "../ir/dtype.js";
import { formatAttrs, formatType } from "../ir/format.js";
import type { Graph, Node } from "../ir/graph.js";
import { nodeOutputs } from "../ir/graph.js";
import type { Op, OpAttrs } from "../ir/op.js";
import { contractionRules } from "./contraction.js";
import { controlRules } from "./control.js";
import { elementwiseRules } from "./elementwise.js";
import { gatherRules } from "./gather.js";
import { layoutRules } from "./layout.js";
import { normRules } from "./norm.js";
import { reduceRules } from "./reduce.js";
import type { Alias, DimFlow, ExecutorKind, InPlace, OpRule, Rules } from "./rule.js";
import { sourceRules } from "./source.js";
import { spatialRules } from "./spatial.js";

/** The rules of every op, keyed by op: the single table the passes consult. */
export const opRules: Rules<Op> = {
  ...sourceRules,
  ...elementwiseRules,
  ...contractionRules,
  ...normRules,
  ...layoutRules,
  ...reduceRules,
  ...spatialRules,
  ...gatherRules,
  ...controlRules(graphFlops),
};

/**
 * The rule of `op`, typed for any op.
 *
 * @example
 * ruleOf("softmax").arity; // [1, 1]
 */
export function ruleOf(op: Op): OpRule<Op> {
  const rule: OpRule<Op> | undefined = opRules[op];
  if (rule === undefined) throw new TypeError(`ruleOf: unknown op ${JSON.stringify(op)}`);
  return rule;
}

/**
 * The output types of `op` applied to `inputs`; throws a RangeError naming the op, its input
 * types and attributes, and the problem. The builder and validate() both go through here.
 *
 * @example
 * inferOutputs("matmul", {}, [a, b]); // [{ shape: [2, 3, 5], dtype: "f32" }]
 */
export function inferOutputs<O extends Op>(
  op: O,
  attrs: OpAttrs[O],
  inputs: readonly Node[],
  declared?: TensorType,
): TensorType[] {
  const rule = ruleOf(op);
  const where = () => {
    const text = formatAttrs(op, attrs);
    return `${op}(${inputs.map(formatType).join(", ")})${text === "" ? "" : ` ${text}`}`;
  };
  const [min, max] = rule.arity;
  if (inputs.length < min || inputs.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw new RangeError(`${where()}: takes ${want} inputs, got ${inputs.length}`);
  }
  try {
    return rule.infer(attrs, inputs, declared);
  } catch (e) {
    if (e instanceof RangeError || e instanceof TypeError) {
      throw new RangeError(`${where()}: ${e.message}`, { cause: e });
    }
    throw e;
  }
}

function inputTypes(graph: Graph, node: Node): TensorType[] {
  return node.inputs.map((id) => graph.nodes[id]!);
}

/**
 * The dimension flow of `node` (one entry per output dim), or null when it is a barrier for
 * chunk regions.
 *
 * @example
 * dimFlowOf(graph, softmaxNode)?.[3]; // { from: [3], computed: true }
 */
export function dimFlowOf(graph: Graph, node: Node): DimFlow | null {
  return ruleOf(node.op).dimFlow(node.attrs, inputTypes(graph, node), node);
}

/**
 * The value `node` is a view of, or null when it allocates its output.
 *
 * @example
 * aliasOf(reshapeNode); // { input: 0, output: 0 }
 */
export function aliasOf(node: Node): Alias | null {
  return ruleOf(node.op).alias(node.attrs);
}

/**
 * The outputs `node` may write over one of its inputs once nothing else reads it (a chunk loop
 * over an input chunked along the same dim); empty for most ops.
 *
 * @example
 * inPlaceOf(graph, loopNode); // [{ output: 0, input: 0 }]
 */
export function inPlaceOf(graph: Graph, node: Node): readonly InPlace[] {
  const rule = ruleOf(node.op);
  return rule.inPlace?.(node.attrs, inputTypes(graph, node), nodeOutputs(node)) ?? [];
}

/**
 * Scratch bytes `node`'s kernel on `executor` holds while it runs (a chunk loop's copied input
 * slices; its body's own peak is added by the estimator).
 *
 * @example
 * workspaceBytesOf(graph, convNode); // im2col buffer bytes of the CPU kernel
 * workspaceBytesOf(graph, convNode, "webgpu");
 */
export function workspaceBytesOf(graph: Graph, node: Node, executor: ExecutorKind = "cpu"): number {
  const inputs = inputTypes(graph, node);
  return ruleOf(node.op).workspaceBytes(node.attrs, inputs, nodeOutputs(node), executor);
}

/**
 * FLOPs of `node` (a multiply-add counts 2).
 *
 * @example
 * flopsOf(graph, matmulNode); // 2·m·n·k·batch
 */
export function flopsOf(graph: Graph, node: Node): number {
  return ruleOf(node.op).flops(node.attrs, inputTypes(graph, node), nodeOutputs(node));
}

/**
 * Total FLOPs of a graph.
 *
 * @example
 * graphFlops(gpt); // ≈ 2 · params · tokens for a transformer
 */
export function graphFlops(graph: Graph): number {
  let total = 0;
  for (const node of graph.nodes) total += flopsOf(graph, node);
  return total;
}
