import assert from "node:assert/strict";
import { test } from "node:test";
import type { SearchParams } from "../../params.js";
import { planSearch, type SearchPlanInput } from "../plan.js";
import { randomSeedId } from "../random-seeds.js";
import { MAX_BATCH_BUFFER_BYTES, planLaunch, type LaunchDevice } from "./launch.js";
import { multiCtaSeeds, NONE_ID } from "./multi-cta.js";

/** WebGPU's default limits. */
const DEFAULT_LIMITS = {
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupsPerDimension: 65535,
  maxStorageBufferBindingSize: 128 * 2 ** 20,
  maxBufferSize: 256 * 2 ** 20,
};
const gpu: LaunchDevice = {
  limits: DEFAULT_LIMITS,
  computeUnits: 80,
  cpuAdapter: false,
  subgroups: true,
};
const input: SearchPlanInput = { datasetSize: 100_000, graphDegree: 32, k: 10, numQueries: 10_000 };
const plan = (params: Partial<SearchParams>, more: Partial<SearchPlanInput> = {}) =>
  planSearch({ ...input, ...more }, { algo: "single_cta", ...params });

test("team size: cuVS's 8, 16, 32 by dimension; one invocation on a CPU adapter", () => {
  assert.equal(planLaunch(plan({}), 96, gpu).teamSize, 8);
  assert.equal(planLaunch(plan({}), 128, gpu).teamSize, 8);
  assert.equal(planLaunch(plan({}), 200, gpu).teamSize, 16);
  assert.equal(
    planLaunch(plan({}), 960, {
      ...gpu,
      limits: { ...DEFAULT_LIMITS, maxComputeWorkgroupStorageSize: 32768 },
    }).teamSize,
    32,
  );
  assert.equal(planLaunch(plan({}), 128, { ...gpu, cpuAdapter: true }).teamSize, 1);
  assert.equal(planLaunch(plan({}), 128, gpu, { teamSize: 4 }).teamSize, 4);
  assert.throws(
    () => planLaunch(plan({}), 128, gpu, { teamSize: 3 }),
    /teamSize must be 0 \(auto\) or one of 1, 2, 4, 8, 16, 32, got 3/,
  );
});

test("workgroup size: 64, doubled for memory above 128 B an invocation and for small batches", () => {
  const defaults = planLaunch(plan({}), 128, gpu);
  assert.equal(defaults.workgroupSize, 64);
  // itopk 512: about 15 KiB, so 128 invocations.
  assert.equal(planLaunch(plan({ itopkSize: 512 }), 128, gpu).workgroupSize, 128);
  // 40 queries cannot fill 80 units: G·p·team = 32·2·8 = 512 ≥ 2·128 lets it double twice.
  const few = planLaunch(plan({ searchWidth: 2 }, { numQueries: 40 }), 128, gpu);
  assert.equal(few.workgroupSize, 256);
  // ... within the device's invocation limit.
  const narrow = { ...gpu, limits: { ...DEFAULT_LIMITS, maxComputeInvocationsPerWorkgroup: 128 } };
  assert.equal(
    planLaunch(plan({ searchWidth: 2 }, { numQueries: 40 }), 128, narrow).workgroupSize,
    128,
  );
  assert.equal(planLaunch(plan({}), 128, gpu, { threadBlockSize: 128 }).workgroupSize, 128);
  assert.throws(
    () => planLaunch(plan({}), 128, gpu, { threadBlockSize: 96 }),
    /threadBlockSize must be 0 \(auto\) or a power of two in \[64, 256\]/,
  );
  assert.equal(defaults.subgroups, true);
  assert.equal(planLaunch(plan({}), 128, gpu, { useSubgroups: false }).subgroups, false);
});

test("workgroup memory: counted as the kernel declares it, refused past the device limit", () => {
  const defaults = planLaunch(plan({}), 128, gpu);
  // query 512 + (64 + 32) entries · 12 + SMALL hash 256 · 4 + parent 4 + 32, + 2 · 64 · 4 partial sums.
  assert.equal(defaults.workgroupBytes, 512 + 96 * 12 + 1024 + 4 + 32 + 512);
  assert.equal(defaults.topPadded, 64);
  assert.equal(defaults.candidatesPadded, 32);
  // itopk 96 pads its top area to 128 for the bitonic network.
  assert.equal(planLaunch(plan({ itopkSize: 96 }), 128, gpu).topPadded, 128);
  assert.throws(
    () => planLaunch(plan({ itopkSize: 512, searchWidth: 4 }), 128, gpu),
    /single_cta needs \d+ bytes of workgroup memory \(itopkSize 512, searchWidth 4, graphDegree 32, dim 128\), more than this device's 16384; lower itopkSize or searchWidth, or use algo "multi_cta"/,
  );
  const roomy = { ...gpu, limits: { ...DEFAULT_LIMITS, maxComputeWorkgroupStorageSize: 32768 } };
  assert.ok(
    planLaunch(plan({ itopkSize: 512, searchWidth: 4 }), 128, roomy).workgroupBytes > 16384,
  );
});

test("batches: the plan's, cut so each per-batch buffer fits one binding", () => {
  assert.equal(planLaunch(plan({}), 128, gpu).batchSize, 10_000);
  assert.equal(planLaunch(plan({ maxQueries: 100 }), 128, gpu).batchSize, 100);
  // A filter forces a HASH table of 2^bits slots per query.
  const filtered = plan({ maxIterations: 1000, itopkSize: 256 }, { filtered: true });
  const launch = planLaunch(filtered, 128, gpu);
  const binding = Math.min(DEFAULT_LIMITS.maxStorageBufferBindingSize, MAX_BATCH_BUFFER_BYTES);
  assert.equal(launch.batchSize, Math.floor(binding / (4 * 2 ** filtered.hashBitlen)));
  assert.ok(launch.batchSize < 10_000);
});

test("multi-CTA: 32-entry lists, its own buffer, and cuVS's per-workgroup seeds", () => {
  const multi = planSearch({ ...input, numQueries: 10 }, { algo: "multi_cta", itopkSize: 64 });
  const launch = planLaunch(multi, 128, gpu);
  assert.equal(launch.topPadded, 32);
  assert.equal(launch.candidatesPadded, 64);
  const seeds = multiCtaSeeds(multi, 3);
  assert.equal(seeds.length, 2 * 3 * 32);
  // Sampling 0 of slot 5 in workgroup 1 of query 2: gid = (1 + 2·2) + 2·3·5.
  assert.equal(seeds[5 + 6 * 5], randomSeedId(5 + 30, 0x128394, 100_000));
  // Given entry points at the query's own gids; with seedsOnly every other entry is empty, and
  // an INVALID_ID entry point keeps its random node.
  const given = Uint32Array.of(7, NONE_ID, 9, 11, 12, 13);
  for (const seedsOnly of [false, true]) {
    const p = planSearch(
      { ...input, numQueries: 10, seedsPerQuery: 2, seedsOnly },
      { algo: "multi_cta", itopkSize: 64 },
    );
    assert.equal(p.seedsOnly, seedsOnly);
    const out = multiCtaSeeds(p, 3, given);
    // Query q's entry points 0 and 1 land in its workgroups 0 and 1: gids 2q and 2q + 1.
    assert.deepEqual(
      [out[0], out[1], out[2], out[3], out[4], out[5]],
      [7, seeds[1], 9, 11, 12, 13],
    );
    const others = out.filter((_, gid) => gid >= 6);
    assert.equal(
      others.every((id) => id === NONE_ID),
      seedsOnly,
    );
  }
  // No entry points given: nothing to take alone.
  assert.equal(planSearch(input, { algo: "single_cta" }).seedsOnly, false);
  assert.equal(planSearch({ ...input, seedsOnly: true }, { algo: "single_cta" }).seedsOnly, false);
  const wide = planSearch({ ...input, graphDegree: 256 }, { algo: "multi_cta" });
  assert.throws(
    () => planLaunch(wide, 128, gpu),
    /multi_cta keeps 32 \+ graphDegree entries per workgroup, at most 256/,
  );
  const many = planSearch(input, { algo: "multi_cta", itopkSize: 2048 });
  assert.throws(
    () => planLaunch(many, 128, gpu),
    /multi_cta merges 64 × 32 results per query in 24576 bytes of workgroup memory, more than this device's 16384/,
  );
  const kernel = planSearch(input, { algo: "multi_kernel" });
  assert.throws(
    () => planLaunch(kernel, 128, gpu),
    /runs "single_cta" and "multi_cta"; got "multi_kernel"/,
  );
});
