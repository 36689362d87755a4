import { join, Problems, type Validation } from "../common/problems.js";
import { checkLiveRef } from "../widget/live-ref.js";
import { PROXIMITY_GRAPH_LIMITS as LIMITS, type ProximityGraphPayload } from "./types.js";

const PAYLOAD_KEYS = [
  "version",
  "title",
  "nodes",
  "layout",
  "positions",
  "graphs",
  "labels",
  "classes",
  "traces",
  "live",
] as const;
const GRAPH_KEYS = [
  "name",
  "degree",
  "outDegree",
  "inDegree",
  "component",
  "componentCount",
  "componentSizes",
  "twoHopMean",
  "edges",
] as const;
const TRACE_KEYS = ["label", "graph", "position", "seeds", "steps", "results", "hits"] as const;
const STEP_KEYS = ["top", "parents", "candidates"] as const;

/**
 * Checks that `x` is a proximity-graph payload: structure as `proximityGraphSchema` states
 * it, and the sizes that relate fields (every per-node array has `nodes` elements, edges
 * `nodes · degree`, traces name an existing graph). Packed arrays are checked by length
 * only (decoding a million positions twice would cost more than drawing them).
 *
 * @example
 * const r = validateProximityGraph(payload);
 * if (!r.ok) console.error(r.errors); // e.g. "graphs[0].inDegree.length: expected 5000, got 4999"
 */
export function validateProximityGraph(x: unknown): Validation<ProximityGraphPayload> {
  const p = new Problems();
  if (p.record(x, "", PAYLOAD_KEYS)) {
    p.oneOf(x.version, "version", [1]);
    if (x.title !== undefined) p.text(x.title, "title", LIMITS.text);
    p.text(x.layout, "layout", LIMITS.text);
    const nodes = x.nodes;
    if (p.count(nodes, "nodes") && nodes > LIMITS.nodes) {
      p.add("nodes", `${nodes} nodes exceed the limit of ${LIMITS.nodes}; show a sample`);
    } else if (typeof nodes === "number" && Number.isSafeInteger(nodes) && nodes >= 0) {
      p.packedArray(x.positions, "positions", ["f32"], nodes * 2);
      const graphs = checkGraphs(x.graphs, nodes, p);
      if (x.labels !== undefined) checkLabels(x.labels, nodes, p);
      if (x.classes !== undefined) checkClasses(x.classes, nodes, p);
      if (x.traces !== undefined) checkTraces(x.traces, graphs, p);
    }
    if (x.live !== undefined) checkLiveRef(p, x.live, LIMITS.text);
  }
  return p.empty
    ? { ok: true, value: x as ProximityGraphPayload }
    : { ok: false, errors: p.messages };
}

function checkGraphs(graphs: unknown, nodes: number, p: Problems): number {
  if (!Array.isArray(graphs) || graphs.length === 0 || graphs.length > LIMITS.graphs) {
    p.add("graphs", graphs === undefined ? "is required" : `expected 1 or 2 graphs`);
    return 0;
  }
  graphs.forEach((g: unknown, i) => {
    const path = join("graphs", i);
    if (!p.record(g, path, GRAPH_KEYS)) return;
    p.text(g.name, join(path, "name"), LIMITS.text);
    const degreeOk = p.count(g.degree, join(path, "degree"));
    if (degreeOk && (g.degree as number) > LIMITS.degree) {
      p.add(join(path, "degree"), `${String(g.degree)} exceeds the limit of ${LIMITS.degree}`);
    }
    for (const key of ["outDegree", "inDegree", "component"] as const) {
      p.packedArray(g[key], join(path, key), ["u32"], nodes);
    }
    const countOk = p.count(g.componentCount, join(path, "componentCount"));
    const listed = countOk
      ? Math.min(g.componentCount as number, LIMITS.listedComponents)
      : undefined;
    p.packedArray(g.componentSizes, join(path, "componentSizes"), ["u32"], listed);
    if (g.twoHopMean !== undefined) p.number(g.twoHopMean, join(path, "twoHopMean"), 0);
    if (g.edges !== undefined) {
      if (nodes > LIMITS.fullEdgeNodes) {
        p.add(
          join(path, "edges"),
          `edges travel in the payload only up to ${LIMITS.fullEdgeNodes} nodes (this graph has ${nodes}); the widget asks the kernel for the rest`,
        );
      } else if (degreeOk) {
        p.packedArray(g.edges, join(path, "edges"), ["u32"], nodes * (g.degree as number));
      }
    }
  });
  return graphs.length;
}

function checkLabels(labels: unknown, nodes: number, p: Problems): void {
  if (!Array.isArray(labels)) return p.add("labels", "expected an array of strings");
  if (labels.length !== nodes || nodes > LIMITS.labels) {
    return p.add(
      "labels",
      `expected one label per node (${nodes}, at most ${LIMITS.labels}), got ${labels.length}`,
    );
  }
  labels.forEach((l, i) => p.text(l, join("labels", i), LIMITS.text));
}

function checkClasses(classes: unknown, nodes: number, p: Problems): void {
  if (!p.record(classes, "classes", ["names", "of"])) return;
  const names = classes.names;
  if (!Array.isArray(names) || names.length === 0 || names.length > LIMITS.classes) {
    p.add("classes.names", `expected 1 to ${LIMITS.classes} class names`);
  } else {
    names.forEach((n, i) => p.text(n, join("classes.names", i), LIMITS.text));
  }
  p.packedArray(classes.of, "classes.of", ["u8", "u16"], nodes);
}

function checkTraces(traces: unknown, graphs: number, p: Problems): void {
  if (!Array.isArray(traces) || traces.length > LIMITS.traces) {
    return p.add("traces", `expected an array of at most ${LIMITS.traces} traces`);
  }
  traces.forEach((t: unknown, i) => {
    const path = join("traces", i);
    if (!p.record(t, path, TRACE_KEYS)) return;
    p.text(t.label, join(path, "label"), LIMITS.text);
    if (p.count(t.graph, join(path, "graph")) && (t.graph as number) >= graphs) {
      p.add(join(path, "graph"), `names graph ${String(t.graph)}, but the payload has ${graphs}`);
    }
    const pos = t.position;
    if (!Array.isArray(pos) || pos.length !== 2) p.add(join(path, "position"), "expected [x, y]");
    else pos.forEach((c, j) => p.number(c, join(join(path, "position"), j)));
    p.packedArray(t.seeds, join(path, "seeds"), ["u32"]);
    const results = t.results;
    const k = p.packedArray(results, join(path, "results"), ["u32"]) ? results.length : undefined;
    p.packedArray(t.hits, join(path, "hits"), ["u8"], k);
    const steps = t.steps;
    if (!Array.isArray(steps) || steps.length > LIMITS.steps) {
      return p.add(join(path, "steps"), `expected an array of at most ${LIMITS.steps} steps`);
    }
    steps.forEach((s: unknown, j) => {
      const sp = join(join(path, "steps"), j);
      if (!p.record(s, sp, STEP_KEYS)) return;
      for (const key of STEP_KEYS) p.packedArray(s[key], join(sp, key), ["u32"]);
    });
  });
}
