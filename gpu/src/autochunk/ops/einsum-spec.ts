import type { Shape } from "../ir/shape.js";
import { formatShape, numel } from "../ir/shape.js";

/**
 * How a two-operand einsum runs as one batched matrix product: A is laid out as
 * [batch, aFree, contracted] = [B, M, K], B as [batch, contracted, bFree] = [B, K, N], the
 * product as [batch, aFree, bFree] = [B, M, N], then permuted to the output's letter order.
 */
export interface EinsumPlan {
  readonly inA: string;
  readonly inB: string;
  readonly out: string;
  readonly outShape: number[];
  /** Axis order taking A to [batch, aFree, contracted]; null when already in that order. */
  readonly permA: number[] | null;
  /** Axis order taking B to [batch, contracted, bFree]; null when already in that order. */
  readonly permB: number[] | null;
  /** Axis order taking [batch, aFree, bFree] to the output; null when already in that order. */
  readonly permOut: number[] | null;
  /** Shape of the product before `permOut`. */
  readonly productShape: number[];
  readonly batch: number;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /**
   * Element strides that read A as [batch, aFree, contracted], B as [batch, contracted, bFree]
   * and write the output as [batch, aFree, bFree] where they lie, without permuted copies;
   * null when some letter group is not evenly strided in some tensor (e.g. batch letters
   * "ih" of "ijhc" are apart), and the copies are needed.
   */
  readonly inPlace: ProductStrides | null;
}

/** Element strides [batch, row, column] of A, B and the output of a strided product. */
export interface ProductStrides {
  readonly a: readonly [number, number, number];
  readonly b: readonly [number, number, number];
  readonly out: readonly [number, number, number];
}

/**
 * Whether the batch of a strided product is the unit-stride dim of every operand (as in
 * "ikc,jkc->ijc"): the CPU kernel then gathers blocks of batches into contiguous matrices, and
 * the cost model counts those gathers.
 *
 * @example
 * batchIsUnitStride(5, { a: [1, 20, 5], b: [1, 5, 20], out: [1, 20, 5] }); // true
 */
export function batchIsUnitStride(batch: number, strides: ProductStrides): boolean {
  return batch > 1 && strides.a[0] === 1 && strides.b[0] === 1 && strides.out[0] === 1;
}

// Recent plans by spec and shapes: the memory estimate asks for each einsum's workspace, and
// the chunk search estimates thousands of candidate regions holding the same einsums.
const PLANS_KEPT = 512;
const plans = new Map<string, EinsumPlan>();

/**
 * Parses and checks `spec` against the operand shapes; throws a RangeError saying what is wrong.
 * Letters present in one operand only must appear in the output (sum them first otherwise).
 * Plans are shared between calls with the same arguments: treat them as read-only.
 *
 * @example
 * planEinsum("bik,bjk->bij", [2, 3, 4], [2, 5, 4]).outShape; // [2, 3, 5]
 */
export function planEinsum(spec: string, shapeA: Shape, shapeB: Shape): EinsumPlan {
  const key = `${spec}|${shapeA.join(",")}|${shapeB.join(",")}`;
  let plan = plans.get(key);
  if (plan === undefined) {
    plan = planUncached(spec, shapeA, shapeB);
    if (plans.size >= PLANS_KEPT) plans.delete(plans.keys().next().value!);
    plans.set(key, plan);
  }
  return plan;
}

function planUncached(spec: string, shapeA: Shape, shapeB: Shape): EinsumPlan {
  const match = /^([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]*)$/.exec(spec.replace(/\s+/g, ""));
  if (match === null) {
    throw new RangeError(
      `einsum spec must look like "bik,bjk->bij" (two operands, letters only, no ellipsis), got "${spec}"`,
    );
  }
  const [, inA, inB, out] = match as unknown as [string, string, string, string];
  for (const [letters, what] of [
    [inA, "first operand"],
    [inB, "second operand"],
    [out, "output"],
  ] as const) {
    if (new Set(letters).size !== letters.length) {
      throw new RangeError(
        `einsum "${spec}": the ${what} repeats a letter (diagonals are not supported)`,
      );
    }
  }
  if (inA.length !== shapeA.length || inB.length !== shapeB.length) {
    throw new RangeError(
      `einsum "${spec}" needs operands of rank ${inA.length} and ${inB.length}, got ` +
        `${formatShape(shapeA)} and ${formatShape(shapeB)}`,
    );
  }
  const size = new Map<string, number>();
  const addSizes = (letters: string, shape: Shape) => {
    [...letters].forEach((c, i) => {
      const known = size.get(c);
      if (known !== undefined && known !== shape[i]) {
        throw new RangeError(
          `einsum "${spec}": letter ${c} has extent ${known} in the first operand and ` +
            `${shape[i]} in the second (${formatShape(shapeA)}, ${formatShape(shapeB)})`,
        );
      }
      size.set(c, shape[i]!);
    });
  };
  addSizes(inA, shapeA);
  addSizes(inB, shapeB);
  for (const c of out) {
    if (!size.has(c)) throw new RangeError(`einsum "${spec}": output letter ${c} is in no operand`);
  }
  for (const c of size.keys()) {
    if (!out.includes(c) && !(inA.includes(c) && inB.includes(c))) {
      throw new RangeError(
        `einsum "${spec}": letter ${c} appears in one operand only and not in the output; sum it first`,
      );
    }
  }
  const batch = [...out].filter((c) => inA.includes(c) && inB.includes(c));
  const aFree = [...out].filter((c) => inA.includes(c) && !inB.includes(c));
  const bFree = [...out].filter((c) => inB.includes(c) && !inA.includes(c));
  const contracted = [...inA].filter((c) => inB.includes(c) && !out.includes(c));
  const extent = (letters: string[]) => numel(letters.map((c) => size.get(c)!));
  const product = [...batch, ...aFree, ...bFree];
  const outLetters = [...out];
  const strided = (letters: string, groups: readonly string[][]) =>
    groups.map((group) => groupStride(group, letters, size));
  const a = strided(inA, [batch, aFree, contracted]);
  const b = strided(inB, [batch, contracted, bFree]);
  const o = strided(outLetters.join(""), [batch, aFree, bFree]);
  const inPlace = [...a, ...b, ...o].includes(null)
    ? null
    : {
        a: a as [number, number, number],
        b: b as [number, number, number],
        out: o as [number, number, number],
      };
  return {
    inA,
    inB,
    out,
    outShape: [...out].map((c) => size.get(c)!),
    permA: permutation(inA, [...batch, ...aFree, ...contracted]),
    permB: permutation(inB, [...batch, ...contracted, ...bFree]),
    permOut: permutation(product.join(""), [...out]),
    productShape: product.map((c) => size.get(c)!),
    batch: extent(batch),
    m: extent(aFree),
    n: extent(bFree),
    k: extent(contracted),
    inPlace,
  };
}

/**
 * The one element stride that walks `group`'s letters (in order, as one merged index) in a
 * contiguous tensor laid out as `letters`, or null when they are not evenly spaced. A group
 * of extent 1 (empty, or of extent-1 letters) takes no step: 1, the kernels' unit-stride case.
 */
function groupStride(
  group: readonly string[],
  letters: string,
  size: ReadonlyMap<string, number>,
): number | null {
  const strides = new Map<string, number>();
  let stride = 1;
  for (let d = letters.length - 1; d >= 0; d--) {
    strides.set(letters[d]!, stride);
    stride *= size.get(letters[d]!)!;
  }
  // Letters of extent 1 take no step; the others must nest, innermost last.
  const steps = group.filter((c) => size.get(c)! > 1);
  for (let q = 0; q + 1 < steps.length; q++) {
    const next = steps[q + 1]!;
    if (strides.get(steps[q]!) !== strides.get(next)! * size.get(next)!) return null;
  }
  const last = steps[steps.length - 1];
  return last === undefined ? 1 : strides.get(last)!;
}

/** The axis order that takes letters `from` to `to`, or null for the identity. */
function permutation(from: string, to: string[]): number[] | null {
  const perm = to.map((c) => from.indexOf(c));
  return perm.every((p, i) => p === i) ? null : perm;
}
