import type { PackedArray } from "../common/packed.js";
import { join, Problems, type Validation } from "../common/problems.js";
import { validateMemoryTimelineV2 } from "../memory-timeline/validate-v2.js";
import { checkLiveRef } from "../widget/live-ref.js";
import { CHUNK_PLAN_LIMITS as LIMITS, type ChunkPlanPayload } from "./types.js";

const PAYLOAD_KEYS = [
  "version",
  "title",
  "budgetBytes",
  "minimumBytes",
  "peakBytes",
  "peakNode",
  "nodes",
  "edges",
  "regions",
  "pseudocode",
  "message",
  "timelines",
  "live",
] as const;
const NODE_TEXT = ["name", "op", "type", "reason"] as const;
const NODE_PACKED = {
  outputBytes: "f32",
  beforeBytes: "f32",
  afterBytes: "f32",
  region: "u16",
  line: "u32",
} as const;
const REGION_KEYS = [
  "loop",
  "start",
  "end",
  "dim",
  "length",
  "chunkSize",
  "iterations",
  "bodyNodes",
  "hoistedNodes",
  "peakBytes",
  "seconds",
] as const;

/**
 * Checks that `x` is a chunk-plan payload: its structure (as `chunkPlanSchema` states it) and
 * the rules between fields (every per-node column has one entry per node, node indexes are in
 * range, regions are ordered spans). Errors name the path and what is wrong. Packed arrays are
 * checked for length here and decoded by `decodeChunkPlan`.
 *
 * @example
 * const r = validateChunkPlan(payload);
 * if (!r.ok) console.error(r.errors.join("\n")); // e.g. "nodes.op: expected 85 entries, got 84"
 */
export function validateChunkPlan(x: unknown): Validation<ChunkPlanPayload> {
  const p = new Problems();
  if (p.record(x, "", PAYLOAD_KEYS)) {
    p.oneOf(x.version, "version", [1]);
    if (x.title !== undefined) p.text(x.title, "title", LIMITS.text);
    p.number(x.budgetBytes, "budgetBytes", 0);
    if (x.minimumBytes !== undefined) p.number(x.minimumBytes, "minimumBytes", 0);
    pair(x.peakBytes, "peakBytes", p, (v, path) => p.number(v, path, 0));
    if (typeof x.pseudocode !== "string") {
      p.add("pseudocode", x.pseudocode === undefined ? "is required" : "expected a string");
    } else if (x.pseudocode.length > LIMITS.pseudocode) {
      p.add("pseudocode", `${x.pseudocode.length} characters exceed ${LIMITS.pseudocode}`);
    }
    if (x.message !== undefined) p.text(x.message, "message", LIMITS.text);
    if (x.timelines !== undefined) {
      const timelines = validateMemoryTimelineV2(x.timelines);
      if (!timelines.ok) for (const e of timelines.errors) p.add("timelines", e);
    }
    if (x.live !== undefined) checkLiveRef(p, x.live, LIMITS.text);
    const n = checkNodes(x.nodes, p);
    if (n !== undefined) {
      const index = (v: unknown, path: string) => nodeIndex(v, path, n, p);
      pair(x.peakNode, "peakNode", p, index);
      p.packedArray(x.edges, "edges", ["u32"]);
      const edges = x.edges as PackedArray | undefined;
      if (edges && typeof edges.length === "number" && edges.length % 2 !== 0) {
        p.add("edges.length", `expected an even count (from, to pairs), got ${edges.length}`);
      } else if (edges && edges.length > 2 * LIMITS.edges) {
        p.add("edges", `${edges.length / 2} edges exceed the limit of ${LIMITS.edges}`);
      }
      checkRegions(x.regions, n, p);
    }
  }
  return p.empty ? { ok: true, value: x as ChunkPlanPayload } : { ok: false, errors: p.messages };
}

/** `{ before, after }`, each checked by `check`. */
function pair(
  v: unknown,
  path: string,
  p: Problems,
  check: (value: unknown, path: string) => boolean,
): void {
  if (!p.record(v, path, ["before", "after"])) return;
  check(v.before, join(path, "before"));
  check(v.after, join(path, "after"));
}

function nodeIndex(v: unknown, path: string, n: number, p: Problems): boolean {
  if (!p.count(v, path)) return false;
  if (v >= n) p.add(path, `node ${v} does not exist (the plan has ${n} nodes)`);
  return v < n;
}

/** The node columns; returns the node count when they agree on it. */
function checkNodes(nodes: unknown, p: Problems): number | undefined {
  if (!p.record(nodes, "nodes", [...NODE_TEXT, ...Object.keys(NODE_PACKED)])) return undefined;
  const names = nodes.name;
  if (!Array.isArray(names)) {
    p.add("nodes.name", names === undefined ? "is required" : "expected an array of strings");
    return undefined;
  }
  const n = names.length;
  if (n > LIMITS.nodes) {
    p.add("nodes.name", `${n} nodes exceed the limit of ${LIMITS.nodes}; collapse the graph first`);
    return undefined;
  }
  let ok = true;
  for (const key of NODE_TEXT) {
    const column = nodes[key];
    const path = join("nodes", key);
    if (!Array.isArray(column)) {
      p.add(path, column === undefined ? "is required" : "expected an array of strings");
      ok = false;
      continue;
    }
    if (column.length !== n) {
      p.add(path, `expected ${n} entries (one per node), got ${column.length}`);
      ok = false;
      continue;
    }
    column.forEach((s, i) => {
      if (!p.text(s, join(path, i), LIMITS.text)) ok = false;
    });
  }
  for (const [key, dtype] of Object.entries(NODE_PACKED)) {
    if (!p.packedArray(nodes[key], join("nodes", key), [dtype], n, "one per node")) ok = false;
  }
  return ok ? n : undefined;
}

function checkRegions(regions: unknown, n: number, p: Problems): void {
  if (!Array.isArray(regions)) {
    p.add("regions", regions === undefined ? "is required" : "expected an array of regions");
    return;
  }
  if (regions.length > LIMITS.regions) {
    p.add("regions", `${regions.length} regions exceed the limit of ${LIMITS.regions}`);
    return;
  }
  let lastEnd = -1;
  regions.forEach((r, i) => {
    const path = join("regions", i);
    if (!p.record(r, path, REGION_KEYS)) return;
    p.text(r.loop, join(path, "loop"), LIMITS.text);
    const okStart = nodeIndex(r.start, join(path, "start"), n, p);
    const okEnd = nodeIndex(r.end, join(path, "end"), n, p);
    for (const key of ["dim", "length", "bodyNodes", "hoistedNodes"] as const) {
      p.count(r[key], join(path, key));
    }
    for (const key of ["chunkSize", "iterations"] as const) {
      if (p.count(r[key], join(path, key)) && r[key] === 0) {
        p.add(join(path, key), "expected at least 1, got 0");
      }
    }
    pair(r.peakBytes, join(path, "peakBytes"), p, (v, at) => p.number(v, at, 0));
    pair(r.seconds, join(path, "seconds"), p, (v, at) => p.number(v, at, 0));
    if (okStart && okEnd) {
      const [start, end] = [r.start as number, r.end as number];
      if (start > end) p.add(path, `start ${start} is after end ${end}`);
      if (start <= lastEnd) {
        p.add(join(path, "start"), `${start} overlaps the previous region (ending at ${lastEnd})`);
      }
      lastEnd = end;
    }
  });
}
