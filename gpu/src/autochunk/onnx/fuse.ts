import type { OnnxNodeProto } from "./proto.js";
import type { HostTensor } from "./tensor.js";

/*
 * Patterns that exporters spell out op by op and the IR has as one op. Opset 17 has no Gelu,
 * so torch.onnx.export writes nn.GELU() as x · (1 + erf(x / √2)) · 0.5; and nn.Linear on a
 * rank-3 input as MatMul(x, Wᵀ) then Add(bias, ·). Matching them keeps the imported graph as
 * small as the built-in models (one gelu node instead of five, no separate bias tensor) and
 * lets Erf, which the IR lacks, import at all.
 */

/** What a matcher may ask about the ONNX graph. */
export interface GraphView {
  /** The nodes reading `value` (a graph output counts as a reader that is not a node). */
  readers(value: string): readonly OnnxNodeProto[] | null;
  /** The constant `value` holds, if it is one by now. */
  constant(value: string): HostTensor | undefined;
}

/** A match: IR op applied to the named ONNX values, replacing `nodes`, giving `output`. */
export interface Fusion {
  readonly op: "gelu" | "linear";
  /** Values the fused op reads: gelu [x]; linear [x, weight, bias]. */
  readonly inputs: readonly string[];
  readonly output: string;
  readonly nodes: readonly OnnxNodeProto[];
}

const near = (v: number | undefined, target: number) =>
  v !== undefined && Math.abs(v - target) <= 1e-6 * Math.abs(target);

function scalar(view: GraphView, value: string | undefined): number | undefined {
  const t = value === undefined ? undefined : view.constant(value);
  return t !== undefined && t.kind === "float" && t.data.length === 1 ? t.data[0] : undefined;
}

/** The one node reading `value`, of `opType`, or null. */
function soleReader(view: GraphView, value: string, opType: string): OnnxNodeProto | null {
  const readers = view.readers(value);
  return readers?.length === 1 && readers[0]!.opType === opType ? readers[0]! : null;
}

/** The operand of a two-input `node` that is not `value`. */
function other(node: OnnxNodeProto, value: string): string | undefined {
  return node.input[0] === value ? node.input[1] : node.input[0];
}

/**
 * Exact GELU starting at `div`: Div(x, √2) or Mul(x, 1/√2) → Erf → Add(·, 1), then a Mul by x
 * and a Mul by 0.5 in either order (the TorchScript exporter multiplies by x first, the dynamo
 * exporter by 0.5 first); each intermediate read once, operands of Add and Mul in either order.
 */
function matchGelu(view: GraphView, div: OnnxNodeProto): Fusion | null {
  const x = div.input[0];
  const scaleOk =
    (div.opType === "Div" && near(scalar(view, div.input[1]), Math.SQRT2)) ||
    (div.opType === "Mul" && near(scalar(view, div.input[1]), Math.SQRT1_2));
  if (x === undefined || !scaleOk) return null;
  const erf = soleReader(view, div.output[0]!, "Erf");
  const plus = erf && soleReader(view, erf.output[0]!, "Add");
  if (plus === null || !near(scalar(view, other(plus, erf!.output[0]!)), 1)) return null;
  const first = soleReader(view, plus.output[0]!, "Mul");
  const second = first && soleReader(view, first.output[0]!, "Mul");
  if (second === null) return null;
  const a = other(first!, plus.output[0]!);
  const b = other(second, first!.output[0]!);
  const isHalf = (v: string | undefined) => near(scalar(view, v), 0.5);
  if (!((a === x && isHalf(b)) || (isHalf(a) && b === x))) return null;
  return {
    op: "gelu",
    inputs: [x],
    output: second.output[0]!,
    nodes: [div, erf!, plus, first!, second],
  };
}

/** MatMul(x, W) with a constant matrix W whose only reader adds a constant bias [n]. */
function matchLinear(view: GraphView, matmul: OnnxNodeProto): Fusion | null {
  const [x, w] = matmul.input;
  const weight = w === undefined ? undefined : view.constant(w);
  if (x === undefined || weight?.kind !== "float" || weight.shape.length !== 2) return null;
  const add = soleReader(view, matmul.output[0]!, "Add");
  const b = add === null ? undefined : other(add, matmul.output[0]!);
  const bias = b === undefined ? undefined : view.constant(b);
  const n = weight.shape[1]!;
  if (bias?.kind !== "float" || bias.shape.length !== 1 || bias.shape[0] !== n) return null;
  return { op: "linear", inputs: [x, w!, b!], output: add!.output[0]!, nodes: [matmul, add!] };
}

/** The matchers to try at a node of each op type, in order. */
export const FUSIONS: Readonly<
  Record<string, readonly ((v: GraphView, n: OnnxNodeProto) => Fusion | null)[]>
> = {
  Div: [matchGelu],
  Mul: [matchGelu],
  MatMul: [matchLinear],
};
