import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../../common/random.js";
import type { Node, Tensor } from "../internal.js";
import {
  GraphBuilder,
  batchIsUnitStride,
  execute,
  numel,
  planEinsum,
  stridesOf,
  tensor,
} from "../internal.js";

const rand = seededRandom(11);

function randTensor(shape: number[], lo = -1, hi = 1): Tensor {
  return tensor(
    shape,
    new Float32Array(numel(shape)).map(() => lo + (hi - lo) * rand()),
  );
}

/** Runs the one-op graph `build` makes from `inputs`, returning its single output. */
async function run(
  build: (g: GraphBuilder, xs: Node[]) => Node,
  ...inputs: Tensor[]
): Promise<Tensor> {
  const g = new GraphBuilder();
  const xs = inputs.map((t, i) => g.input(`in${i}`, t.shape, t.dtype));
  g.output(build(g, xs));
  const { outputs } = await execute(g.build(), inputs);
  return outputs[0]!;
}

/** Element at multi-index `idx` of `t`. */
function at(t: Tensor, idx: readonly number[]): number {
  const s = stridesOf(t.shape);
  return t.data[idx.reduce((o, v, d) => o + v * s[d]!, 0)]!;
}

/** Builds the expected tensor of `shape` from `f(index)`. */
function expected(shape: number[], f: (idx: number[]) => number): Float64Array {
  const out = new Float64Array(numel(shape));
  const s = stridesOf(shape);
  for (let i = 0; i < out.length; i++)
    out[i] = f(shape.map((_, d) => Math.floor(i / s[d]!) % shape[d]!));
  return out;
}

function assertClose(actual: Tensor, shape: number[], want: ArrayLike<number>, tol = 1e-5): void {
  assert.deepEqual(actual.shape, shape);
  assert.equal(actual.data.length, want.length);
  for (let i = 0; i < want.length; i++) {
    const a = actual.data[i]!;
    const w = want[i]!;
    assert.ok(Math.abs(a - w) <= tol * Math.max(1, Math.abs(w)), `element ${i}: ${a} vs ${w}`);
  }
}

test("matmul broadcasts batch dims, and linear adds its bias", async () => {
  const a = randTensor([3, 1, 5, 7]);
  const b = randTensor([4, 7, 6]);
  const out = await run((g, [x, y]) => g.matmul(x!, y!), a, b);
  const want = expected([3, 4, 5, 6], ([i, j, m, n]) => {
    let s = 0;
    for (let k = 0; k < 7; k++) s += at(a, [i!, 0, m!, k]) * at(b, [j!, k, n!]);
    return s;
  });
  assertClose(out, [3, 4, 5, 6], want);

  // odd sizes exercise the gemm's partial tiles and k blocking
  const x = randTensor([2, 9, 300]);
  const w = randTensor([300, 70]);
  const bias = randTensor([70]);
  const y = await run((g, [p, q, r]) => g.linear(p!, q!, r!), x, w, bias);
  const wantY = expected([2, 9, 70], ([i, t, o]) => {
    let s = at(bias, [o!]);
    for (let k = 0; k < 300; k++) s += at(x, [i!, t!, k]) * at(w, [k, o!]);
    return s;
  });
  assertClose(y, [2, 9, 70], wantY, 1e-4);
});

test("batchIsUnitStride: true where the batch is every operand's innermost dim, as in the triangle multiplications", () => {
  const unit = (spec: string, a: number[], b: number[]) => {
    const { batch, inPlace } = planEinsum(spec, a, b);
    return inPlace !== null && batchIsUnitStride(batch, inPlace);
  };
  assert.equal(unit("kic,kjc->ijc", [300, 6, 5], [300, 11, 5]), true);
  assert.equal(unit("ikc,jkc->ijc", [7, 9, 3], [10, 9, 3]), true);
  assert.equal(unit("bik,bjk->bij", [2, 3, 4], [2, 5, 4]), false);
  // a batch of one is no batch
  assert.equal(unit("ikc,jkc->ijc", [7, 9, 1], [10, 9, 1]), false);
  assert.equal(unit("ij,jk->ki", [3, 4], [4, 2]), false);
});

test("einsum matches a naive sum over every letter, with permuted operands and output", async () => {
  // [spec, A's shape, B's shape, whether the kernel reads and writes them in place (strided)]
  const cases: [string, number[], number[], boolean][] = [
    ["bik,bjk->bij", [2, 3, 4], [2, 5, 4], true],
    ["bikc,bjkc->bijc", [1, 4, 5, 3], [1, 6, 5, 3], true],
    ["bsic,bsjd->bijcd", [1, 5, 3, 2], [1, 5, 4, 3], false],
    ["ij,jk->ki", [3, 4], [4, 2], true],
    // the triangle multiplications: every operand strided, depth past one 256-deep block
    ["kic,kjc->ijc", [300, 6, 5], [300, 11, 5], true],
    ["ikc,jkc->ijc", [7, 9, 3], [10, 9, 3], true],
    // batch letters i, h apart in A: copied
    ["ijhc,ikhc->ihjk", [2, 3, 2, 4], [2, 5, 2, 4], false],
  ];
  for (const [spec, sa, sb, inPlace] of cases) {
    assert.equal(planEinsum(spec, sa, sb).inPlace !== null, inPlace, spec);
    const a = randTensor(sa);
    const b = randTensor(sb);
    const out = await run((g, [x, y]) => g.einsum(spec, x!, y!), a, b);
    const [ins, outLetters] = spec.split("->") as [string, string];
    const [la, lb] = ins.split(",") as [string, string];
    const size = new Map<string, number>();
    [...la].forEach((c, i) => size.set(c, sa[i]!));
    [...lb].forEach((c, i) => size.set(c, sb[i]!));
    const summed = [...size.keys()].filter((c) => !outLetters.includes(c));
    const outShape = [...outLetters].map((c) => size.get(c)!);
    const want = expected(outShape, (idx) => {
      const value = new Map([...outLetters].map((c, i) => [c, idx[i]!]));
      let total = 0;
      const loop = (depth: number) => {
        if (depth === summed.length) {
          total +=
            at(
              a,
              [...la].map((c) => value.get(c)!),
            ) *
            at(
              b,
              [...lb].map((c) => value.get(c)!),
            );
          return;
        }
        for (let v = 0; v < size.get(summed[depth]!)!; v++) {
          value.set(summed[depth]!, v);
          loop(depth + 1);
        }
      };
      loop(0);
      return total;
    });
    assertClose(out, outShape, want, 1e-4);
  }
});

test("softmax normalises along a middle dim", async () => {
  const x = randTensor([3, 4, 5], -5, 5);
  const out = await run((g, [v]) => g.softmax(v!, 1), x);
  const want = expected([3, 4, 5], ([i, j, k]) => {
    let z = 0;
    for (let t = 0; t < 4; t++) z += Math.exp(at(x, [i!, t, k!]));
    return Math.exp(at(x, [i!, j!, k!])) / z;
  });
  assertClose(out, [3, 4, 5], want);
});

test("layer_norm over the last two dims, with weight and bias", async () => {
  const x = randTensor([2, 3, 4], -3, 3);
  const w = randTensor([3, 4]);
  const b = randTensor([3, 4]);
  const out = await run((g, [v, p, q]) => g.layerNorm(v!, p!, q!, { eps: 1e-5 }), x, w, b);
  const want = expected([2, 3, 4], ([i, j, k]) => {
    let mean = 0;
    for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) mean += at(x, [i!, r, c]) / 12;
    let v = 0;
    for (let r = 0; r < 3; r++)
      for (let c = 0; c < 4; c++) v += (at(x, [i!, r, c]) - mean) ** 2 / 12;
    return ((at(x, [i!, j!, k!]) - mean) / Math.sqrt(v + 1e-5)) * at(w, [j!, k!]) + at(b, [j!, k!]);
  });
  assertClose(out, [2, 3, 4], want, 1e-4);
});

test("group_norm normalises each group of channels over space", async () => {
  const x = randTensor([2, 6, 3, 2], -2, 2);
  const w = randTensor([6]);
  const b = randTensor([6]);
  const out = await run((g, [v, p, q]) => g.groupNorm(v!, 3, p!, q!, 1e-5), x, w, b);
  const want = expected([2, 6, 3, 2], ([n, c, h, ww]) => {
    const g0 = Math.floor(c! / 2) * 2;
    const vals: number[] = [];
    for (let cc = g0; cc < g0 + 2; cc++)
      for (let y = 0; y < 3; y++) for (let z = 0; z < 2; z++) vals.push(at(x, [n!, cc, y, z]));
    const mean = vals.reduce((s, v) => s + v, 0) / vals.length;
    const variance = vals.reduce((s, v) => s + (v - mean) ** 2, 0) / vals.length;
    return (
      ((at(x, [n!, c!, h!, ww!]) - mean) / Math.sqrt(variance + 1e-5)) * at(w, [c!]) + at(b, [c!])
    );
  });
  assertClose(out, [2, 6, 3, 2], want, 1e-4);
});

test("conv2d with stride and padding, and a 1×1 conv, match direct convolution", async () => {
  for (const [stride, padding, k] of [
    [2, 1, 3],
    [1, 0, 1],
    [1, 2, 3],
  ] as const) {
    const x = randTensor([2, 3, 7, 6]);
    const w = randTensor([4, 3, k, k]);
    const b = randTensor([4]);
    const out = await run((g, [v, p, q]) => g.conv2d(v!, p!, q!, { stride, padding }), x, w, b);
    const ho = Math.floor((7 + 2 * padding - k) / stride) + 1;
    const wo = Math.floor((6 + 2 * padding - k) / stride) + 1;
    const want = expected([2, 4, ho, wo], ([n, o, y, z]) => {
      let s = at(b, [o!]);
      for (let c = 0; c < 3; c++) {
        for (let ky = 0; ky < k; ky++) {
          for (let kx = 0; kx < k; kx++) {
            const iy = y! * stride - padding + ky;
            const ix = z! * stride - padding + kx;
            if (iy >= 0 && iy < 7 && ix >= 0 && ix < 6)
              s += at(x, [n!, c, iy, ix]) * at(w, [o!, c, ky, kx]);
          }
        }
      }
      return s;
    });
    assertClose(out, [2, 4, ho, wo], want, 1e-4);
  }
});

test("upsample repeats pixels; embedding gathers rows and rejects bad indices", async () => {
  const x = randTensor([1, 2, 2, 3]);
  const up = await run((g, [v]) => g.upsample(v!, 2), x);
  assertClose(
    up,
    [1, 2, 4, 6],
    expected([1, 2, 4, 6], ([n, c, y, z]) => at(x, [n!, c!, y! >> 1, z! >> 1])),
  );

  const table = randTensor([5, 3]);
  const ids = tensor([2, 2], new Int32Array([4, 0, 2, 4]));
  const emb = await run((g, [t, i]) => g.embedding(t!, i!), table, ids);
  assertClose(
    emb,
    [2, 2, 3],
    expected([2, 2, 3], ([i, j, c]) => at(table, [at(ids, [i!, j!]), c!])),
  );
  await assert.rejects(
    run((g, [t, i]) => g.embedding(t!, i!), table, tensor([1], new Int32Array([5]))),
    /embedding.*index 5 at position 0 is outside the table's 5 rows/,
  );
});

test("slice, concat and permute move the right elements", async () => {
  const x = randTensor([2, 5, 3]);
  const sl = await run((g, [v]) => g.slice(v!, 1, 1, 4), x);
  assertClose(
    sl,
    [2, 3, 3],
    expected([2, 3, 3], ([i, j, k]) => at(x, [i!, j! + 1, k!])),
  );
  const y = randTensor([2, 2, 3]);
  const cat = await run((g, [p, q]) => g.concat([p!, q!], 1), x, y);
  assertClose(
    cat,
    [2, 7, 3],
    expected([2, 7, 3], ([i, j, k]) => (j! < 5 ? at(x, [i!, j!, k!]) : at(y, [i!, j! - 5, k!]))),
  );
  const z = randTensor([2, 3, 4, 5]);
  const perm = await run((g, [v]) => g.permute(v!, [2, 0, 3, 1]), z);
  assertClose(
    perm,
    [4, 2, 5, 3],
    expected([4, 2, 5, 3], ([a, b, c, d]) => at(z, [b!, d!, a!, c!])),
  );
});

test("sum and mean over several dims, with and without keepdim", async () => {
  const x = randTensor([3, 4, 5]);
  const s = await run((g, [v]) => g.sum(v!, [0, 2]), x);
  assertClose(
    s,
    [4],
    expected([4], ([j]) => {
      let t = 0;
      for (let i = 0; i < 3; i++) for (let k = 0; k < 5; k++) t += at(x, [i, j!, k]);
      return t;
    }),
  );
  const m = await run((g, [v]) => g.mean(v!, 1, true), x);
  assertClose(
    m,
    [3, 1, 5],
    expected([3, 1, 5], ([i, , k]) => {
      let t = 0;
      for (let j = 0; j < 4; j++) t += at(x, [i!, j, k!]);
      return t / 4;
    }),
  );
});

/** erf by its Maclaurin series (accurate to ~1e-9 for |x| ≤ 4), independent of the kernel's formula. */
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 120; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

test("elementwise ops broadcast and match Math; GELU is the exact erf form", async () => {
  const a = randTensor([2, 3, 4], 0.5, 2);
  const b = randTensor([3, 1], 0.5, 2);
  const binary: [string, (p: number, q: number) => number][] = [
    ["add", (p, q) => p + q],
    ["sub", (p, q) => p - q],
    ["mul", (p, q) => p * q],
    ["div", (p, q) => p / q],
    ["pow", (p, q) => p ** q],
  ];
  for (const [op, f] of binary) {
    const out = await run((g, [p, q]) => g.op(op as "add", [p!, q!], {}), a, b);
    assertClose(
      out,
      [2, 3, 4],
      expected([2, 3, 4], ([i, j, k]) => f(at(a, [i!, j!, k!]), at(b, [j!, 0]))),
    );
    // The column first: one value against each row, the other order.
    const swapped = await run((g, [q, p]) => g.op(op as "add", [q!, p!], {}), b, a);
    assertClose(
      swapped,
      [2, 3, 4],
      expected([2, 3, 4], ([i, j, k]) => f(at(b, [j!, 0]), at(a, [i!, j!, k!]))),
    );
  }
  const x = randTensor([64], -4, 4);
  const unary: [string, (v: number) => number][] = [
    ["neg", (v) => -v],
    ["exp", Math.exp],
    ["relu", (v) => Math.max(v, 0)],
    ["sigmoid", (v) => 1 / (1 + Math.exp(-v))],
    ["silu", (v) => v / (1 + Math.exp(-v))],
    ["tanh", Math.tanh],
    ["sin", Math.sin],
    ["cos", Math.cos],
    ["gelu", (v) => 0.5 * v * (1 + erfSeries(v / Math.SQRT2))],
  ];
  for (const [op, f] of unary) {
    const out = await run((g, [v]) => g.op(op as "exp", [v!], {}), x);
    assertClose(out, [64], Array.from(x.data, f), 2e-6);
  }
  const pos = randTensor([16], 0.1, 4);
  for (const [op, f] of [
    ["log", Math.log],
    ["sqrt", Math.sqrt],
    ["rsqrt", (v: number) => 1 / Math.sqrt(v)],
  ] as const) {
    const out = await run((g, [v]) => g.op(op, [v!], {}), pos);
    assertClose(out, [16], Array.from(pos.data, f), 2e-6);
  }
  const scaled = await run((g, [v]) => g.scale(v!, -0.125), x);
  assertClose(
    scaled,
    [64],
    Array.from(x.data, (v) => v * -0.125),
  );
});
