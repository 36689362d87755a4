import type { Graph } from "../types.js";

/**
 * The id cuVS writes where a kNN builder found no neighbour (0xFFFFFFFF). optimize() accepts it
 * and never selects it, as cuVS does; any other id ≥ size is an error.
 */
export const INVALID_NODE = 0xffffffff;

/** The largest intermediate degree: the prune key keeps the rank in 16 bits, as cuVS does. */
export const MAX_KNN_DEGREE = 0xfffe;

/**
 * Throws a RangeError if `graph` is not a consistent [size, degree] graph whose ids are all
 * `< size` or INVALID_NODE. `what` names the argument in the message.
 *
 * @example
 * assertGraph({ neighbors: new Uint32Array([1, 0]), size: 2, degree: 1 }, "optimize: knn");
 */
export function assertGraph(graph: Graph, what: string): void {
  const { neighbors, size, degree } = graph;
  if (!Number.isSafeInteger(size) || size < 0 || size > INVALID_NODE) {
    throw new RangeError(`${what}.size must be an integer in [0, 2^32 − 1), got ${size}.`);
  }
  if (!Number.isSafeInteger(degree) || degree < 0) {
    throw new RangeError(`${what}.degree must be a non-negative integer, got ${degree}.`);
  }
  if (neighbors.length !== size * degree) {
    throw new RangeError(
      `${what}: ${size} rows × degree ${degree} needs ${size * degree} ids, but neighbors holds ${neighbors.length}.`,
    );
  }
  for (let i = 0; i < neighbors.length; i++) {
    const id = neighbors[i]!;
    if (id >= size && id !== INVALID_NODE) {
      const node = Math.floor(i / degree);
      throw new RangeError(
        `${what}: node ${node}, rank ${i - node * degree} is ${id}, but ids must be < ${size} ` +
          `(or ${INVALID_NODE} for "no neighbour"); check that the graph was built over the same rows.`,
      );
    }
  }
}

/**
 * Throws a RangeError unless `knn` is a valid kNN graph that optimize() can reduce to
 * `graphDegree`: 1 ≤ graphDegree ≤ knn.degree ≤ MAX_KNN_DEGREE, ids < size or INVALID_NODE.
 */
export function assertOptimizable(knn: Graph, graphDegree: number): void {
  assertGraph(knn, "optimize: knn");
  if (!Number.isSafeInteger(graphDegree) || graphDegree < 1) {
    throw new RangeError(`optimize: graphDegree must be an integer ≥ 1, got ${graphDegree}.`);
  }
  if (knn.degree > MAX_KNN_DEGREE) {
    throw new RangeError(
      `optimize: the kNN graph's degree (intermediateGraphDegree) must be ≤ ${MAX_KNN_DEGREE}, got ${knn.degree}.`,
    );
  }
  if (graphDegree > knn.degree) {
    throw new RangeError(
      `optimize: graphDegree ${graphDegree} exceeds the kNN graph's degree ${knn.degree} ` +
        `(intermediateGraphDegree); lower graphDegree or build the kNN graph with a higher degree.`,
    );
  }
}
