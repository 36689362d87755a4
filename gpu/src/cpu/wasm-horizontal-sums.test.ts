import { test } from "node:test";
import assert from "node:assert/strict";
import { assembleModule, op, repeat, v128 } from "./wasm-encoding.js";
import { horizontalSums } from "./wasm-horizontal-sums.js";
import { compileModule, instantiate } from "./wasm-instance.js";

test("horizontalSums leaves [Σa, Σb, Σc, Σd] of four f32x4 locals, summed (x0 + x2) + (x1 + x3)", () => {
  // sums(): loads four f32x4 from bytes 0..63 into locals 0..3, stores the sums at byte 64.
  // prettier-ignore
  const body = [
    ...[0, 1, 2, 3].flatMap((i) => [...op.i32Const(16 * i), ...op.v128Load, ...op.localSet(i)]),
    ...op.i32Const(64), ...horizontalSums([0, 1, 2, 3], [4, 5]), ...op.v128Store,
  ];
  const bytes = assembleModule(1, [{ name: "sums", params: [], locals: repeat(v128, 6), body }]);
  const instance = instantiate(compileModule(bytes));
  const heap = new Float32Array(instance.memory.buffer);
  // Row 2's lanes make f32 rounding show the order of the sums (2^24 + 1 is not an f32).
  const rows = [
    [1, 2, 3, 4],
    [-1, 0.5, 0.25, 8],
    [2 ** 24, 1, 1, 2],
    [1e-8, 1, -1e-8, 2],
  ];
  heap.set(rows.flat());
  (instance.exports.sums as () => void)();
  const f = Math.fround;
  const expected = rows.map(([x0, x1, x2, x3]) => f(f(x0! + x2!) + f(x1! + x3!)));
  assert.deepEqual([...heap.subarray(16, 20)], expected);
  // Row 2: (2^24 + 1) + (1 + 2) rounds to 2^24 + 4; left to right it would be 2^24 + 2.
  assert.equal(heap[18], 2 ** 24 + 4);
});
