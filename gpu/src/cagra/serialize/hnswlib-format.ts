import { prepareForMetric } from "../distance.js";
import type { CagraIndex, Metric } from "../types.js";

/*
 * Export to hnswlib's index file (hnswalg.h saveIndex/loadIndex), as cuVS's
 * serialize_to_hnswlib does: the CAGRA graph becomes HNSW's base layer. Header (size_t = u64):
 *
 *   size_t offsetLevel0 = 0, max_elements = N, cur_element_count = N,
 *          size_data_per_element = 4G + 4 + 4D + 8, label_offset = 4G + 4 + 4D, offsetData = 4G + 4
 *   i32    maxlevel, enterpoint_node = N/2
 *   size_t maxM = G/2, maxM0 = G, M = G/2;  f64 mult = 0.42424242;  size_t ef_construction = 500
 *
 * then per node: u32 link count G, G × u32 neighbours, D × f32 vector, u64 label (the row), and
 * per node a u32 0 (no upper-layer links). cuVS writes maxlevel 1, which upstream hnswlib
 * follows into the missing level-1 lists; maxlevel 0 makes search start at the entry point on
 * the base layer, so upstream hnswlib and hnswlib-node load and search the file.
 */

/** The hnswlib (hnswlib-node) space name that searches an exported index as `metric` does. */
export function hnswlibSpace(metric: Metric): "l2" | "ip" | "cosine" {
  switch (metric) {
    case "sqeuclidean":
      return "l2";
    case "inner_product":
      return "ip";
    case "cosine":
      return "cosine";
  }
}

const HEADER_BYTES = 6 * 8 + 2 * 4 + 3 * 8 + 8 + 8;
const MULT = 0.42424242; // as cuVS writes; only used if points are added later

/**
 * Encodes a CAGRA index with its dataset as an hnswlib index file (vectors as f32, labels =
 * row numbers). Load it with hnswlib-node as
 * `new HierarchicalNSW(hnswlibSpace(index.metric), dim).readIndex(path)`; a cosine index
 * stores unit rows, as hnswlib's cosine space does.
 *
 * @example
 * const bytes = encodeHnswlibIndex(index);
 */
export function encodeHnswlibIndex(index: CagraIndex): Uint8Array {
  const { graph } = index;
  if (!index.dataset) {
    throw new RangeError(
      "encodeHnswlibIndex: the index has no dataset; hnswlib stores the vectors, so attach one.",
    );
  }
  const n = graph.size;
  const g = graph.degree;
  const dim = index.dataset.cols;
  if (n < 1 || n > 0x7fffffff || index.dataset.rows !== n) {
    throw new RangeError(
      `encodeHnswlibIndex: need 1 ≤ nodes < 2^31 and one dataset row per node, got ${n} nodes and ${index.dataset.rows} rows.`,
    );
  }
  if (g < 1 || g > 0xffff || graph.neighbors.length !== n * g) {
    throw new RangeError(
      `encodeHnswlibIndex: graph degree must be in [1, 65535] with ${n} × degree ids, got degree ${g}.`,
    );
  }
  const vectors = prepareForMetric(index.dataset, index.metric).data;
  const linksBytes = 4 * g + 4;
  const elementBytes = linksBytes + 4 * dim + 8;
  const out = new Uint8Array(HEADER_BYTES + n * elementBytes + 4 * n);
  const view = new DataView(out.buffer);
  let at = 0;
  const u64 = (v: number) => {
    view.setBigUint64(at, BigInt(v), true);
    at += 8;
  };
  const i32 = (v: number) => {
    view.setInt32(at, v, true);
    at += 4;
  };
  u64(0); // offsetLevel0
  u64(n); // max_elements
  u64(n); // cur_element_count
  u64(elementBytes); // size_data_per_element
  u64(elementBytes - 8); // label_offset
  u64(linksBytes); // offsetData
  i32(0); // maxlevel
  i32(Math.floor(n / 2)); // enterpoint_node
  u64(Math.floor(g / 2)); // maxM
  u64(g); // maxM0
  u64(Math.floor(g / 2)); // M
  view.setFloat64(at, MULT, true);
  at += 8;
  u64(500); // ef_construction
  for (let i = 0; i < n; i++) {
    view.setUint32(at, g, true);
    for (let k = 0; k < g; k++) {
      const id = graph.neighbors[i * g + k]!;
      if (id >= n) {
        throw new RangeError(
          `encodeHnswlibIndex: node ${i}, rank ${k} points to ${id}, but ids must be < ${n}.`,
        );
      }
      view.setUint32(at + 4 + 4 * k, id, true);
    }
    for (let c = 0; c < dim; c++)
      view.setFloat32(at + linksBytes + 4 * c, vectors[i * dim + c]!, true);
    view.setBigUint64(at + elementBytes - 8, BigInt(i), true);
    at += elementBytes;
  }
  // The trailing n × u32 0 (no upper-layer link lists) is already zero.
  return out;
}
