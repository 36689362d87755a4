import assert from "node:assert/strict";
import { test } from "node:test";
import { planSearch, type SearchPlanInput } from "./plan.js";

const million: SearchPlanInput = {
  datasetSize: 1_000_000,
  graphDegree: 64,
  k: 10,
  numQueries: 10_000,
  computeUnits: 108,
};

test("max iterations: 1M nodes, G = 64, itopk 64 gives 68 (the brief's example)", () => {
  const plan = planSearch(million, { itopkSize: 64 });
  assert.equal(plan.algo, "single_cta");
  // 64/1, plus 4 growth steps of ×32 to pass 10^6 (32^4 ≈ 1.05M).
  assert.equal(plan.maxIterations, 68);
  assert.equal(planSearch(million, { itopkSize: 64, searchWidth: 2 }).maxIterations, 32 + 4);
});

test("max iterations come from itopk before rounding, and never undercut minIterations", () => {
  const small = { datasetSize: 1000, graphDegree: 64, k: 10, numQueries: 1 };
  // 40/1 + 2 (1 → 32 → 1024 ≥ 1000); itopk itself becomes 64.
  const plan = planSearch(small, { itopkSize: 40, algo: "single_cta" });
  assert.equal(plan.itopkSize, 64);
  assert.equal(plan.maxIterations, 42);
  // G = 2 grows by max(2, 1) = 2 per step: 10 steps to reach 1000.
  const thin = planSearch({ ...small, graphDegree: 2 }, { itopkSize: 32, algo: "single_cta" });
  assert.equal(thin.maxIterations, 32 + 10);
  const floored = planSearch(small, { itopkSize: 32, minIterations: 100, algo: "single_cta" });
  assert.equal(floored.maxIterations, 100);
  assert.equal(planSearch(small, { maxIterations: 7, algo: "single_cta" }).maxIterations, 7);
});

test("itopk is rounded up to a multiple of 32", () => {
  const at = (itopkSize: number) =>
    planSearch({ ...million, k: 1 }, { itopkSize, algo: "single_cta" }).itopkSize;
  assert.equal(at(1), 32);
  assert.equal(at(32), 32);
  assert.equal(at(33), 64);
  assert.equal(at(100), 128);
});

test("defaults give a SMALL hash of 256 entries reset every iteration", () => {
  const plan = planSearch(million, {});
  assert.equal(plan.hashMode, "small");
  assert.equal(2 ** plan.hashBitlen, 256);
  assert.equal(plan.hashResetInterval, 1);
  assert.equal(plan.resultBufferSize, 64 + 64);
  assert.equal(plan.paddedResultBufferSize, 128);
  assert.equal(plan.candidateCount, 64);
  assert.equal(plan.topkSort, "bitonic");
});

test("a SMALL hash resets less often when the table has room to spare", () => {
  // 32 + 16 = 48 ≤ 128 fits 2^8; 32 + 16·r ≤ 128 up to r = 6.
  const plan = planSearch({ ...million, graphDegree: 16 }, { itopkSize: 32 });
  assert.equal(plan.hashBitlen, 8);
  assert.equal(plan.hashResetInterval, 6);
  // 64 + 5·64 = 384 needs 2^10 (2^9 at fill 0.5 holds 256 only); 5·64 > 256 sorts by radix.
  const wide = planSearch(million, { searchWidth: 5 });
  assert.equal(wide.hashBitlen, 10);
  assert.equal(wide.hashResetInterval, 1);
  assert.equal(wide.topkSort, "radix");
  assert.equal(planSearch(million, { searchWidth: 4 }).topkSort, "bitonic");
});

test("AUTO falls back to HASH above 2^13 entries; a filter forces HASH", () => {
  // 512 + 64·64 = 4608 needs 2^14 > 2^13.
  const big = planSearch(million, { itopkSize: 512, searchWidth: 64 });
  assert.equal(big.hashMode, "hash");
  // 512 + 4096 · maxIterations(512/64 + 4 = 12) = 49664 → 2^17.
  assert.equal(big.maxIterations, 12);
  assert.equal(big.hashBitlen, 17);
  const filtered = planSearch({ ...million, filtered: true }, {});
  assert.equal(filtered.hashMode, "hash");
  // 64 + 64·68 = 4416 > 0.5·2^13, so 2^14.
  assert.equal(filtered.hashBitlen, 14);
  assert.throws(() => planSearch({ ...million, filtered: true, hashmapMode: "small" }, {}), {
    name: "RangeError",
    message: /not available with a filter/,
  });
  assert.equal(planSearch({ ...million, hashmapMode: "hash" }, {}).hashBitlen, 14);
});

test("auto algo: single-CTA needs itopk ≤ 512 and a batch of at least twice the SMs", () => {
  assert.equal(planSearch({ ...million, numQueries: 216 }, {}).algo, "single_cta");
  assert.equal(planSearch({ ...million, numQueries: 215 }, {}).algo, "multi_cta");
  assert.equal(planSearch({ ...million, numQueries: 10 }, { maxQueries: 216 }).algo, "single_cta");
  assert.equal(planSearch(million, { itopkSize: 544 }).algo, "multi_cta");
  assert.throws(() => planSearch({ ...million, computeUnits: undefined }, {}), /computeUnits/);
});

test("multi-CTA plans: 32/1 iterations base, one CTA per 32 of itopk, HASH tables", () => {
  const plan = planSearch({ ...million, numQueries: 1 }, { itopkSize: 128 });
  assert.equal(plan.algo, "multi_cta");
  assert.equal(plan.maxIterations, 32 + 4);
  assert.equal(plan.ctasPerQuery, 4);
  assert.equal(plan.hashMode, "hash");
  // Per-CTA table: 32 + 2·64 = 160 > 128, so 2^9; shared: 4·max(32, 36) = 144 → 2^11.
  assert.equal(plan.ctaHashBitlen, 9);
  assert.equal(plan.hashBitlen, 11);
  // Filtering 50 %: itopk ← 10/0.5 + 118/√0.5 = 186.9 → 192 (then a multiple of 32).
  const filtered = planSearch(
    { ...million, numQueries: 1, filtered: true, filteringRate: 0.5 },
    { itopkSize: 128 },
  );
  assert.equal(filtered.itopkSize, 192);
});

test("the batch is all queries up to 65535 unless maxQueries says otherwise", () => {
  assert.equal(planSearch({ ...million, numQueries: 70_000 }, {}).batchSize, 65535);
  assert.equal(planSearch({ ...million, numQueries: 300 }, {}).batchSize, 300);
  assert.equal(planSearch(million, { maxQueries: 500 }).batchSize, 500);
});

test("bad combinations throw RangeErrors naming the parameter", () => {
  const cases: [Partial<SearchPlanInput>, Parameters<typeof planSearch>[1], RegExp][] = [
    [{ k: 65 }, {}, /k \(65\) must be ≤ itopkSize \(64/],
    [{ k: 0 }, {}, /^k must be/],
    [{ k: 2_000_000 }, { itopkSize: 512 }, /^k must be/],
    [{}, { searchWidth: 0 }, /searchWidth/],
    [{}, { itopkSize: 0 }, /itopkSize/],
    [{}, { maxIterations: 3, minIterations: 5 }, /maxIterations \(3\) is below minIterations/],
    [{}, { numRandomSamplings: 0 }, /numRandomSamplings/],
    [{}, { randXorMask: -1 }, /randXorMask/],
    [{}, { itopkSize: 544, algo: "single_cta" }, /≤ 512 for single_cta/],
    [{ hashmapMaxFillRate: 0.95 }, {}, /hashmapMaxFillRate/],
    [{ hashmapMinBitlen: 21 }, {}, /hashmapMinBitlen/],
    [{}, { algo: "fastest" as never }, /algo must be/],
  ];
  for (const [input, params, message] of cases) {
    assert.throws(() => planSearch({ ...million, ...input }, params), {
      name: "RangeError",
      message,
    });
  }
});
