import type { Graph } from "../../src/cagra/types.js";

/*
 * Test support: cuVS's `kern_fused_prune` transcribed literally (scans instead of lookups,
 * repeated minimum instead of a sort), to check the fast implementations against.
 */

/** Detour counts exactly as cuVS's loop computes them, [size, degree]. */
export function referenceDetourCounts(knn: Graph, rows = knn.size): Uint32Array {
  const { neighbors: g, size: n, degree: d } = knn;
  const out = new Uint32Array(rows * d);
  for (let a = 0; a < rows; a++) {
    const c = out.subarray(a * d, (a + 1) * d);
    for (let k = 0; k < d; k++) c[k] = g[a * d + k] === a ? d : 0;
    for (let kAD = 0; kAD < d - 1; kAD++) {
      const iD = g[a * d + kAD]!;
      if (iD >= n) continue;
      for (let kDB = 0; kDB < d; kDB++) {
        const candidate = g[iD * d + kDB]!;
        for (let kAB = kAD + 1; kAB < d; kAB++) {
          if (g[a * d + kAB] === candidate) {
            c[kAB]!++;
            break;
          }
        }
      }
    }
    for (let k = 0; k < d; k++) {
      c[k] = Math.min(c[k]!, 0xffff);
      if (g[a * d + k]! >= n) c[k] = 0xffff;
    }
  }
  return out;
}

/** cuVS's selection: graphDegree times, the minimum (count << 16 | rank), masking the id. */
export function referencePrune(knn: Graph, counts: Uint32Array, graphDegree: number): Uint32Array {
  const d = knn.degree;
  const out = new Uint32Array(knn.size * graphDegree);
  for (let a = 0; a < knn.size; a++) {
    const c = Array.from(counts.subarray(a * d, (a + 1) * d));
    for (let i = 0; i < graphDegree; i++) {
      let best = 0xffff * 65536 + 0xffff;
      for (let k = 0; k < d; k++) if (c[k]! < 0xffff) best = Math.min(best, c[k]! * 65536 + k);
      if (Math.floor(best / 65536) === 0xffff) throw new Error(`node ${a} ran out`);
      const id = knn.neighbors[a * d + (best % 65536)]!;
      for (let k = 0; k < d; k++) if (knn.neighbors[a * d + k] === id) c[k] = 0xffff;
      out[a * graphDegree + i] = id;
    }
  }
  return out;
}

/**
 * cuVS's `kern_merge_graph`, transcribed literally (find, shift, insert); with `mst`, as it runs
 * when guarantee_connectivity is set.
 */
export function referenceMerge(
  pruned: Graph,
  rev: Uint32Array,
  revCounts: Uint32Array,
  mst?: { neighbors: Uint32Array; counts: Uint32Array },
): Uint32Array {
  const { size: n, degree: g } = pruned;
  const out = pruned.neighbors.slice();
  for (let a = 0; a < n; a++) {
    const row = out.subarray(a * g, (a + 1) * g);
    let keep = Math.floor(g / 2);
    if (mst !== undefined) {
      // kern_merge_graph with guarantee_connectivity: the MST row, then each pruned id not
      // already listed, until the row is full; the MST edges and at least g/2 are protected.
      const count = mst.counts[a]!;
      const pruneRow = pruned.neighbors.slice(a * g, (a + 1) * g);
      row.set(mst.neighbors.subarray(a * g, (a + 1) * g));
      for (let p = 0, o = count; p < g && o < g; p++) {
        const v = pruneRow[p]!;
        if (!row.subarray(0, o).includes(v)) row[o++] = v;
      }
      keep = Math.max(count, keep);
      if (keep === g) continue;
    }
    let kr = Math.min(revCounts[a]!, g);
    while (kr) {
      kr -= 1;
      const v = rev[a * g + kr]!;
      if (v >= n) continue;
      let pos = row.indexOf(v);
      if (pos === -1) pos = g;
      if (pos < keep) continue;
      let shift = pos - keep;
      if (pos >= g) shift = g - keep - 1;
      for (let i = shift; i > 0; i--) row[keep + i] = row[keep + i - 1]!;
      row[keep] = v;
    }
  }
  return out;
}
