/**
 * The proximity-graph explorer: one or two graph panels over the same nodes with a shared
 * view and linked selection, colour modes, degree histograms and component lists that
 * highlight nodes, a node's edges and 2-hop neighbourhood on click, and a search trace
 * player. State lives here as plain values; every change recomputes what it affects and
 * asks for one animation frame.
 */
import { liveStatus } from "../widget/live-status.js";
import { themeColors, type ThemeColors } from "../widget/theme.js";
import type { LiveChannel, WidgetHandle, WidgetOptions } from "../widget/types.js";
import { modeAvailable, nodeColours, type ColourMode, type Rgb } from "./colours.js";
import { componentList, type ComponentList } from "./components.js";
import { decodeProximityGraph, type ExplorerData } from "./decode.js";
import { edgeTable, type EdgeTable } from "./edges.js";
import { degreeHistogram, type DegreeHistogram } from "./histogram.js";
import { graphPanel, type Marker, type Panel } from "./panel.js";
import { pointGrid } from "./pick.js";
import { graphSummary } from "./svg.js";
import { tracePlayer, type TracePlayer } from "./trace-player.js";
import { PROXIMITY_GRAPH_METHODS, type ProximityGraphPayload } from "./types.js";
import { centreOn, fitView, type View } from "./view.js";

/** How long the view must rest after a pan or zoom before the points are drawn afresh. */
const SETTLE_MS = 150;

const MODES: readonly [ColourMode, string][] = [
  ["in-degree", "in-degree"],
  ["out-degree", "out-degree"],
  ["component", "component"],
  ["class", "class"],
  ["visit-order", "search visit order"],
];

/** What is highlighted, in every panel (linked selection). */
type Highlight =
  | { kind: "degree"; graph: number; which: "in" | "out"; range: [number, number] }
  | { kind: "component"; graph: number; id: number }
  | { kind: "neighbourhood"; graph: number; node: number; ids: Uint32Array; edges: Uint32Array };

interface GraphView {
  panel: Panel;
  histogram: DegreeHistogram;
  components: ComponentList;
  table: EdgeTable | undefined;
  /** A selected node's edges fetched from the kernel (large graphs). */
  fetched: { node: number; out: Uint32Array; in: Uint32Array } | undefined;
}

/**
 * Renders the explorer into `element`.
 *
 * @example
 * const handle = renderProximityGraph(div, payload, { live });
 */
export function renderProximityGraph(
  element: HTMLElement,
  payload: ProximityGraphPayload,
  options: WidgetOptions = {},
): WidgetHandle<ProximityGraphPayload> {
  element.classList.add("tessera-proximity-graph");
  let disposeCurrent = mount(element, payload, options);
  return {
    update(next) {
      disposeCurrent();
      element.replaceChildren();
      disposeCurrent = mount(element, next, options);
    },
    redraw: () => element.dispatchEvent(new Event("tessera-theme")),
    dispose() {
      disposeCurrent();
      element.replaceChildren();
      element.classList.remove("tessera-proximity-graph");
    },
  };
}

function mount(
  element: HTMLElement,
  payload: ProximityGraphPayload,
  options: WidgetOptions,
): () => void {
  const data = decodeProximityGraph(payload);
  const live = options.live;
  const grid = pointGrid(data.positions, data.extent);
  let theme: ThemeColors = themeColors(element);
  // Nodes a colour mode says nothing about (unvisited) recede to the border colour.
  let muted = rgbOf(theme.grid);
  let view: View | undefined;
  let viewMoved = false;
  let mode: ColourMode = data.traces.length > 0 ? "visit-order" : "in-degree";
  let selected = -1;
  let highlight: Highlight | undefined;
  let mask: Uint8Array | undefined;
  let trace = 0;
  let step = 0;
  let activeGraph = 0;
  let frame = 0;
  let settle: ReturnType<typeof setTimeout> | undefined;

  // Toolbar: title, colour mode, find a node, the live note.
  const toolbar = div("tessera-proximity-graph-toolbar");
  if (payload.title) toolbar.append(span(payload.title, "tessera-proximity-graph-title"));
  toolbar.append(span(`${data.nodes.toLocaleString("en-US")} nodes, ${payload.layout} layout`));
  const modeSelect = document.createElement("select");
  modeSelect.setAttribute("aria-label", "colour by");
  for (const [m, label] of MODES) {
    if (modeAvailable(data, m)) modeSelect.append(new Option(`colour: ${label}`, m));
  }
  modeSelect.value = mode;
  const find = document.createElement("input");
  find.type = "search";
  find.placeholder = "find node id";
  find.setAttribute("aria-label", "find node id");
  find.size = 12;
  const status = liveStatus(live);
  toolbar.append(modeSelect, find, status.element);

  const panels = div("tessera-proximity-graph-panels");
  const info = div("tessera-proximity-graph-info");
  info.setAttribute("aria-live", "polite");
  const infoText = span(
    "Hover a node for its degrees; click one for its edges; drag to pan, wheel to zoom.",
  );
  const hoodButton = document.createElement("button");
  hoodButton.type = "button";
  hoodButton.textContent = "2-hop neighbourhood";
  hoodButton.hidden = true;
  const clearButton = document.createElement("button");
  clearButton.type = "button";
  clearButton.textContent = "clear";
  clearButton.hidden = true;
  info.append(infoText, hoodButton, clearButton);

  const views: GraphView[] = data.graphs.map((g, i) => {
    const column = div("tessera-proximity-graph-column");
    column.dataset.graph = String(i);
    const heading = div("tessera-proximity-graph-heading");
    heading.append(
      span(g.name, "tessera-proximity-graph-name"),
      span(graphSummary(data, i).replace(`${g.name}: `, "")),
    );
    const panel = graphPanel(
      data.positions,
      grid,
      () => view,
      {
        view: (next) => {
          view = next;
          moved();
        },
        hover: (node) => hoverText(data, node),
        click: (node) => {
          activeGraph = i;
          select(node);
        },
      },
      () => {
        if (!viewMoved) view = undefined;
        requestDraw();
      },
    );
    const side = div("tessera-proximity-graph-side");
    let which: "in" | "out" = "in";
    const histogram = degreeHistogram((range) =>
      setHighlight(range && { kind: "degree", graph: i, which, range }),
    );
    histogram.show(g.inDegree, "in-degree");
    // In- or out-degree: CAGRA's out-degree is fixed, a pruned or filtered graph's is not.
    const degreeKind = document.createElement("select");
    degreeKind.setAttribute("aria-label", "histogram of");
    degreeKind.append(new Option("in-degree", "in"), new Option("out-degree", "out"));
    degreeKind.addEventListener("change", () => {
      which = degreeKind.value as "in" | "out";
      histogram.show(which === "in" ? g.inDegree : g.outDegree, `${which}-degree`);
      if (highlight?.kind === "degree" && highlight.graph === i) setHighlight(undefined);
    });
    histogram.element.prepend(degreeKind);
    const components = componentList(g.componentCount, g.componentSizes, (id) =>
      setHighlight(id === undefined ? undefined : { kind: "component", graph: i, id }),
    );
    side.append(histogram.element, components.element);
    column.append(heading, panel.element, side);
    panels.append(column);
    return {
      panel,
      histogram,
      components,
      table: g.edges && edgeTable(g.edges, data.nodes, g.degree),
      fetched: undefined,
    };
  });

  let player: TracePlayer | undefined;
  element.append(toolbar, panels);
  if (data.traces.length > 0) {
    player = tracePlayer(data.traces, (t, s) => {
      [trace, step] = [t, s];
      // The trace's edges follow the step in every colour mode; colours only in visit order.
      if (mode === "visit-order") recolour();
      else relines();
      requestDraw();
    });
    element.append(player.element);
  }
  element.append(info);

  /** After a pan or zoom: draw now, and draw the points afresh once the view rests. */
  function moved(): void {
    viewMoved = true;
    requestDraw();
    clearTimeout(settle);
    settle = setTimeout(() => {
      views.forEach((v) => v.panel.invalidate());
      requestDraw();
    }, SETTLE_MS);
  }

  function requestDraw(): void {
    if (frame === 0) frame = requestAnimationFrame(draw);
  }

  function draw(): void {
    frame = 0;
    const [w, h] = views[0]!.panel.size();
    if (!view && w > 0 && h > 0) view = fitView(data.extent, w, h);
    if (!view) return;
    const pointSize = data.nodes > 200_000 ? 1.5 : data.nodes > 20_000 ? 2.5 : 4;
    views.forEach((v, i) => v.panel.draw(view!, markers(i), pointSize));
    element.dataset.drawn = String(Number(element.dataset.drawn ?? 0) + 1);
  }

  function recolour(): void {
    mask = maskOf(data, highlight);
    views.forEach((v, i) =>
      v.panel.setColours(
        nodeColours(
          data,
          mode,
          { graph: i, trace, muted, step, emphasis: rgbOf(theme.foreground) },
          mask,
        ),
      ),
    );
    relines();
  }

  function relines(): void {
    views.forEach((v, i) => {
      const segs: number[] = [];
      const cols: number[] = [];
      const add = (from: number, to: number, c: Rgb, alpha: number): void => {
        if (from >= data.nodes || to >= data.nodes) return;
        const p = data.positions;
        segs.push(p[2 * from]!, p[2 * from + 1]!, p[2 * to]!, p[2 * to + 1]!);
        cols.push(c[0], c[1], c[2], alpha, c[0], c[1], c[2], alpha);
      };
      if (highlight?.kind === "neighbourhood" && highlight.graph === i) {
        const fg = rgbOf(theme.foreground);
        for (let k = 0; k < highlight.edges.length; k += 2)
          add(highlight.edges[k]!, highlight.edges[k + 1]!, fg, 90);
      }
      const t = data.traces[trace];
      if (player && t && t.graph === i && step >= 1 && step <= t.steps.length) {
        // Purple: apart from the selection's blue and orange in both themes.
        const candidate: Rgb = [156, 39, 176];
        const fg = rgbOf(theme.foreground);
        // The walk so far: each iteration's parents joined to the next's.
        for (let s = 1; s < step; s++) {
          const a = t.steps[s - 1]!.parents[0];
          const b = t.steps[s]!.parents[0];
          if (a !== undefined && b !== undefined) add(a, b, fg, 200);
        }
        const now = t.steps[step - 1]!;
        for (const child of now.candidates)
          add(parentOf(v.table, now.parents, child), child, candidate, 230);
      }
      if (selected >= 0) {
        const edges = edgesOf(v, selected);
        if (edges) {
          const [out, inn] = [rgbOf(theme.accent), rgbOf(theme.warn)];
          for (const w of edges.in) add(w, selected, inn, 255);
          for (const w of edges.out) add(selected, w, out, 255);
        }
      }
      v.panel.setLines(Float32Array.from(segs), Uint8Array.from(cols));
    });
  }

  function markers(i: number): Marker[] {
    const out: Marker[] = [];
    const at = (id: number, shape: Marker["shape"], colour: string, size: number): void => {
      if (id < data.nodes)
        out.push({
          x: data.positions[2 * id]!,
          y: data.positions[2 * id + 1]!,
          shape,
          colour,
          size,
        });
    };
    const t = data.traces[trace];
    if (player && t && t.graph === i) {
      const n = t.steps.length;
      if (step === 0) for (const id of t.seeds) at(id, "square", theme.foreground, 4);
      else if (step <= n) {
        const s = t.steps[step - 1]!;
        for (const id of s.top) at(id, "ring", theme.foreground, 4);
        for (const id of s.parents) at(id, "dot", "#9c27b0", 5);
      } else {
        t.results.forEach((id, k) =>
          at(id, "ring", t.hits[k] ? (theme.dark ? "#66bb6a" : "#2e7d32") : theme.error, 6),
        );
      }
      out.push({
        x: t.position[0],
        y: t.position[1],
        shape: "cross",
        colour: theme.foreground,
        size: 8,
      });
    }
    if (selected >= 0) at(selected, "ring", theme.accent, 8);
    return out;
  }

  function edgesOf(v: GraphView, node: number): { out: Uint32Array; in: Uint32Array } | undefined {
    if (v.table) return { out: v.table.out(node), in: v.table.in(node) };
    return v.fetched?.node === node ? v.fetched : undefined;
  }

  function select(node: number): void {
    selected = node;
    hoodButton.hidden = node < 0;
    clearButton.hidden = node < 0 && highlight === undefined;
    element.dataset.selected = String(node);
    if (node < 0) {
      infoText.textContent = "";
      relines();
      requestDraw();
      return;
    }
    const parts = data.graphs.map((g, i) => {
      const e = edgesOf(views[i]!, node);
      const edges = e
        ? `${e.out.length} out-edges (blue), ${e.in.length} in-edges (orange)`
        : `out-degree ${g.outDegree[node]}, in-degree ${g.inDegree[node]}`;
      return `${g.name}: ${edges}, component #${g.component[node]! + 1}`;
    });
    infoText.textContent = `node ${nodeName(data, node)} — ${parts.join("; ")}`;
    hoodButton.disabled = live === undefined;
    hoodButton.title = live ? "ask the kernel for the nodes within two hops" : "needs the kernel";
    views.forEach((v, i) => {
      // Large graphs: ask once per node (the reply calls select() again to show the edges).
      if (!v.table && live && v.fetched?.node !== node) void fetchEdges(live, v, i, node);
    });
    relines();
    requestDraw();
  }

  async function fetchEdges(
    channel: LiveChannel,
    v: GraphView,
    i: number,
    node: number,
  ): Promise<void> {
    try {
      const reply = await channel.request(PROXIMITY_GRAPH_METHODS.edges, { graph: i, node });
      const [out, inn] = reply.buffers.map(u32);
      v.fetched = { node, out: out ?? new Uint32Array(0), in: inn ?? new Uint32Array(0) };
      if (selected === node) select(node);
    } catch (e) {
      infoText.textContent = `edges of node ${node}: ${(e as Error).message}`;
    }
  }

  async function neighbourhood(): Promise<void> {
    if (!live || selected < 0) return;
    const node = selected;
    // The graph whose panel was clicked last (the first until then).
    const graph = activeGraph;
    infoText.textContent = `asking the kernel for the 2-hop neighbourhood of node ${node}…`;
    element.dataset.neighbourhood = "pending";
    try {
      const reply = await live.request(PROXIMITY_GRAPH_METHODS.neighbourhood, {
        graph,
        node,
        hops: 2,
      });
      const [ids, edges] = reply.buffers.map(u32);
      setHighlight({
        kind: "neighbourhood",
        graph,
        node,
        ids: ids ?? new Uint32Array(0),
        edges: edges ?? new Uint32Array(0),
      });
      infoText.textContent = `2-hop neighbourhood of node ${node} in ${data.graphs[graph]!.name}: ${ids?.length ?? 0} nodes, ${(edges?.length ?? 0) / 2} edges followed`;
      element.dataset.neighbourhood = String(ids?.length ?? 0);
    } catch (e) {
      infoText.textContent = `2-hop neighbourhood of node ${node}: ${(e as Error).message}`;
      element.dataset.neighbourhood = "error";
    }
  }

  function setHighlight(next: Highlight | undefined): void {
    highlight = next;
    // Linked: the other panels' controls show the same choice, or none.
    views.forEach((v, i) => {
      v.histogram.select(next?.kind === "degree" && next.graph === i ? next.range : undefined);
      v.components.choose(next?.kind === "component" && next.graph === i ? next.id : undefined);
    });
    clearButton.hidden = selected < 0 && next === undefined;
    let count = 0;
    recolour();
    if (mask) for (const m of mask) count += m;
    element.dataset.highlighted = String(next ? count : 0);
    requestDraw();
  }

  modeSelect.addEventListener("change", () => {
    mode = modeSelect.value as ColourMode;
    recolour();
    requestDraw();
  });
  find.addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    const text = find.value.trim();
    // Number("") is 0: an empty box must not select node 0.
    const node = text === "" ? NaN : Number(text);
    if (!Number.isInteger(node) || node < 0 || node >= data.nodes) {
      infoText.textContent = `no node ${JSON.stringify(find.value)}: ids run from 0 to ${data.nodes - 1}`;
      return;
    }
    const [w, h] = views[0]!.panel.size();
    if (view) {
      view = centreOn(view, data.positions[2 * node]!, data.positions[2 * node + 1]!, w / 2, h / 2);
      moved();
    }
    select(node);
  });
  hoodButton.addEventListener("click", () => void neighbourhood());
  clearButton.addEventListener("click", () => {
    setHighlight(undefined);
    select(-1);
  });
  const onTheme = (): void => {
    theme = themeColors(element);
    muted = rgbOf(theme.grid);
    recolour();
    requestDraw();
  };
  element.addEventListener("tessera-theme", onTheme);
  recolour();
  requestDraw();

  return () => {
    if (frame !== 0) cancelAnimationFrame(frame);
    clearTimeout(settle);
    element.removeEventListener("tessera-theme", onTheme);
    status.dispose();
    player?.dispose();
    for (const v of views) v.panel.dispose();
  };
}

/** 1 for highlighted nodes, or undefined when nothing is highlighted. */
function maskOf(data: ExplorerData, h: Highlight | undefined): Uint8Array | undefined {
  if (!h) return undefined;
  const mask = new Uint8Array(data.nodes);
  const g = data.graphs[h.graph]!;
  if (h.kind === "degree") {
    const [lo, hi] = h.range;
    const degree = h.which === "in" ? g.inDegree : g.outDegree;
    for (let i = 0; i < data.nodes; i++) mask[i] = degree[i]! >= lo && degree[i]! <= hi ? 1 : 0;
  } else if (h.kind === "component") {
    for (let i = 0; i < data.nodes; i++) mask[i] = g.component[i] === h.id ? 1 : 0;
  } else {
    for (const id of h.ids) if (id < data.nodes) mask[id] = 1;
  }
  return mask;
}

/** The parent a candidate was reached from (the one whose list holds it), or the first. */
function parentOf(table: EdgeTable | undefined, parents: Uint32Array, child: number): number {
  if (parents.length === 1 || !table) return parents[0] ?? child;
  for (const p of parents) if (table.out(p).includes(child)) return p;
  return parents[0]!;
}

function hoverText(data: ExplorerData, node: number): string {
  const lines = [`node ${nodeName(data, node)}`];
  if (data.classes) lines.push(`class ${data.classes.names[data.classes.of[node]!] ?? "?"}`);
  for (const g of data.graphs) {
    const size = g.componentSizes[g.component[node]!];
    lines.push(
      `${g.name}: out ${g.outDegree[node]}, in ${g.inDegree[node]}, component #${g.component[node]! + 1}${size !== undefined ? ` (${size.toLocaleString("en-US")} nodes)` : ""}`,
    );
  }
  return lines.join("\n");
}

function nodeName(data: ExplorerData, node: number): string {
  const label = data.labels?.[node];
  return label !== undefined ? `${node} “${label}”` : String(node);
}

function u32(view: DataView): Uint32Array {
  return new Uint32Array(view.buffer.slice(view.byteOffset, view.byteOffset + view.byteLength));
}

function div(className: string): HTMLDivElement {
  const d = document.createElement("div");
  d.className = className;
  return d;
}

function span(text: string, className?: string): HTMLSpanElement {
  const s = document.createElement("span");
  s.textContent = text;
  if (className) s.className = className;
  return s;
}

/** CSS colour → RGB bytes, kept per colour string (a theme has a handful). */
const parsed = new Map<string, Rgb>();

/** A CSS colour as RGB bytes, read back through a 2-D canvas (any CSS colour syntax works). */
function rgbOf(css: string): Rgb {
  const known = parsed.get(css);
  if (known) return known;
  const ctx = document.createElement("canvas").getContext("2d");
  if (!ctx) return [128, 128, 128];
  ctx.fillStyle = "#808080";
  ctx.fillStyle = css;
  const v = ctx.fillStyle;
  const hex = /^#([0-9a-f]{6})$/i.exec(v);
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(v);
  const rgb: Rgb = hex
    ? ([0, 2, 4].map((i) => parseInt(hex[1]!.slice(i, i + 2), 16)) as unknown as Rgb)
    : m
      ? [Number(m[1]), Number(m[2]), Number(m[3])]
      : [128, 128, 128];
  parsed.set(css, rgb);
  return rgb;
}
