import { formatBytes } from "../common/bytes.js";
import { renderMemoryTimeline, type MemoryTimelineHandle } from "../memory-timeline/render-v2.js";
import type { MemoryTimelineV2Payload } from "../memory-timeline/types-v2.js";
import { liveStatus } from "../widget/live-status.js";
import type { WidgetSpec } from "../widget/mount.js";
import { themeColors, type ThemeColors } from "../widget/theme.js";
import type { WidgetHandle, WidgetOptions } from "../widget/types.js";
import { collapsedAtOpen, planBlocks, type Block } from "./blocks.js";
import { inkOn, memoryColor } from "./colors.js";
import { decodeChunkPlan, type ChunkPlan } from "./decode.js";
import { blockLabel, nodeLabel, planSummary, regionLabel } from "./labels.js";
import { chunkPlanLayout, itemBytes, type ChunkPlanLayout } from "./layout.js";
import { nodeDetails } from "./details.js";
import { html, svg } from "./dom.js";
import { budgetScale, requestPlans, type BudgetScale } from "./slider.js";
import { memoryStrip } from "./strip.js";
import { MIME_CHUNK_PLAN, type ChunkPlanPayload } from "./types.js";
import { validateChunkPlan } from "./validate.js";

/** Room under the graph, where the strip writes the budget and its caption. */
const AXIS = 32;

/**
 * Draws a chunk plan: header (summary, colour legend, budget slider, live status), the memory
 * strip and the layered graph side by side (the strip scrolls vertically with the graph), the
 * pseudocode, a details box for the clicked node, and measured runs' timelines when the payload
 * has them. All user text goes in as text nodes.
 */
function renderChunkPlan(
  element: HTMLElement,
  first: ChunkPlanPayload,
  options: WidgetOptions = {},
): WidgetHandle<ChunkPlanPayload> {
  // Set by show(first, false) below, before anything reads them.
  let plan!: ChunkPlan;
  let blocks: Block[] = [];
  let collapsed = new Set<string>();
  let scale!: BudgetScale;
  let layout!: ChunkPlanLayout; // set by draw(), which show() calls before anything reads it
  let colors: ThemeColors = themeColors(element);
  let selected: number | null = null;

  const root = html("div", "tessera-chunk-plan", element);
  const header = html("div", "tessera-chunk-plan-header", root);
  const title = html("div", "tessera-chunk-plan-title", header);
  const summary = html("div", "tessera-chunk-plan-summary", header);
  summary.dataset.role = "summary";
  const legend = html("div", "tessera-chunk-plan-legend", header);
  const controls = html("div", "tessera-chunk-plan-controls", header);
  const sliderLabel = html("label", "", controls);
  sliderLabel.textContent = "Budget ";
  const slider = html("input", "tessera-chunk-plan-slider", sliderLabel);
  slider.type = "range";
  slider.min = "0";
  slider.max = "1000";
  slider.step = "1";
  slider.setAttribute("aria-label", "memory budget");
  // Arrow keys, Home and End belong to the slider: hosts with keyboard shortcuts (JupyterLab's
  // command mode, through Lumino's attribute) must not take them, nor the notebook around it.
  slider.dataset.lmSuppressShortcuts = "true";
  slider.addEventListener("keydown", (event) => event.stopPropagation());
  const budgetText = html("span", "tessera-chunk-plan-budget", controls);
  const status = liveStatus(options.live);
  controls.append(status.element);
  const message = html("div", "tessera-chunk-plan-message", header);
  message.setAttribute("role", "status");
  const body = html("div", "tessera-chunk-plan-body", root);
  const stripPane = html("div", "tessera-chunk-plan-strip-pane", body);
  const graphPane = html("div", "tessera-chunk-plan-graph", body);
  graphPane.addEventListener("scroll", () => (stripPane.scrollTop = graphPane.scrollTop));
  const codePane = html("div", "tessera-chunk-plan-code", body);
  const details = html("div", "tessera-chunk-plan-details", root);
  details.dataset.role = "details";
  const timelineNote = html("div", "tessera-chunk-plan-timeline-note", root);
  const timelineHost = html("div", "tessera-chunk-plan-timelines", root);
  let timeline: MemoryTimelineHandle | undefined;
  let timelineOf: MemoryTimelineV2Payload | undefined;
  let timelineBudget = 0;
  let nodeByName = new Map<string, number>();
  let linked: number | null = null;

  const live = options.live;
  slider.disabled = live === undefined;
  const requests = live
    ? requestPlans(live, {
        onPlan(next) {
          message.textContent = "";
          delete message.dataset.minimumBytes;
          show(next, true);
        },
        onImpossible(reply) {
          message.textContent = reply.message;
          message.dataset.minimumBytes = String(reply.minimumBytes ?? "");
          message.dataset.budgetBytes = String(reply.budgetBytes);
        },
        onError(error) {
          message.textContent = `The kernel could not re-plan: ${error.message}`;
        },
      })
    : undefined;
  const stopState = live?.onState((state) => {
    slider.disabled = state === "offline";
    root.dataset.live = state;
  });
  if (live) root.dataset.live = live.state;
  slider.addEventListener("input", () => {
    const budget = scale.bytes(Number(slider.value));
    budgetText.textContent = formatBytes(budget);
    requests?.ask(budget);
  });

  const lines: HTMLElement[] = [];
  let nodeOfLine = new Map<number, number>();

  function show(next: ChunkPlanPayload, keepView: boolean): void {
    plan = decodeChunkPlan(next);
    const names = blocks.map((b) => b.key).join();
    blocks = planBlocks(plan.name);
    if (!keepView || names !== blocks.map((b) => b.key).join()) {
      collapsed = collapsedAtOpen(plan, blocks);
    }
    scale = budgetScale(plan);
    slider.value = String(scale.position(plan.budgetBytes));
    budgetText.textContent = formatBytes(plan.budgetBytes);
    title.textContent = plan.title ?? "AutoChunk plan";
    summary.textContent = planSummary(plan);
    summary.dataset.peakAfter = String(plan.peakBytes.after);
    summary.dataset.budget = String(plan.budgetBytes);
    summary.dataset.regions = String(plan.regions.length);
    if (plan.message) message.textContent = plan.message;
    nodeByName = new Map(plan.name.map((name, i) => [name, i]));
    showTimelines(next.timelines);
    writeCode();
    draw();
    if (selected !== null && selected < plan.name.length) select(selected);
    else details.replaceChildren();
  }

  function writeCode(): void {
    codePane.replaceChildren();
    lines.length = 0;
    nodeOfLine = new Map();
    plan.line.forEach((line, node) => {
      if (line > 0 && !nodeOfLine.has(line)) nodeOfLine.set(line, node);
    });
    plan.pseudocode.forEach((text, i) => {
      const line = html("div", "tessera-chunk-plan-line", codePane);
      line.dataset.line = String(i + 1);
      line.textContent = text;
      const node = nodeOfLine.get(i + 1);
      if (node !== undefined) line.dataset.node = String(node);
      lines.push(line);
    });
  }

  /** The graph and the strip, from a fresh layout (after a collapse, a new plan or a theme change). */
  function draw(): void {
    layout = chunkPlanLayout(plan, blocks, collapsed);
    drawLegend();
    const top = plan.peakBytes.before || 1;
    const width = layout.width;
    const height = layout.height + AXIS;
    const canvas = svg("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
    canvas.setAttribute("aria-label", `chunk plan graph: ${planSummary(plan)}`);
    const graph = svg("g", {}, canvas);
    const groups = svg("g", {}, graph);
    for (const g of layout.groups) {
      const { x, y, width: w, height: h } = g.box;
      const cls = g.kind === "region" ? "tessera-chunk-plan-region" : "tessera-chunk-plan-cluster";
      const el = svg("g", { class: cls }, groups);
      svg("rect", { x, y, width: w, height: h, rx: 6 }, el);
      // Above the box: inside it, the label would run over the first node.
      const label = svg("text", { x: x + 5, y: y - 3 }, el);
      if (g.kind === "region") {
        const region = plan.regions[g.index]!;
        el.dataset.region = String(g.index);
        label.textContent = regionLabel(region);
      } else {
        const block = blocks[g.index]!;
        el.dataset.block = block.key;
        label.textContent = `${block.label} ▾`;
        label.classList.add("tessera-chunk-plan-toggle");
        label.addEventListener("click", () => toggle(block.key));
      }
    }
    const edges = svg("g", { class: "tessera-chunk-plan-edges" }, graph);
    for (const e of layout.edges) {
      const d = e.points
        .map(([x, y], i) => `${i === 0 ? "M" : "L"}${x.toFixed(1)} ${y.toFixed(1)}`)
        .join("");
      svg("path", { d }, edges);
    }
    const items = svg("g", {}, graph);
    layout.items.forEach((item, index) => {
      const { x, y, width: w, height: h } = item.box;
      const bytes = itemBytes(plan, item, plan.afterBytes);
      const fill = memoryColor(bytes / top, colors.dark);
      const el = svg("g", { class: "tessera-chunk-plan-node" }, items);
      el.dataset.item = String(index);
      svg("rect", { x, y, width: w, height: h, rx: item.kind === "block" ? 8 : 3, fill }, el);
      const text = svg("text", { x: x + 6, y: y + h / 2 + 4, fill: inkOn(fill) }, el);
      const holds = (node: number) =>
        item.kind === "node"
          ? item.node === node
          : item.block.start <= node && node <= item.block.end;
      // The chunked program's peak, and where the peak was before chunking when elsewhere.
      const mark = holds(plan.peakNode.after)
        ? { cls: "tessera-chunk-plan-peak", text: "▲ peak" }
        : holds(plan.peakNode.before)
          ? { cls: "tessera-chunk-plan-peak-before", text: "△ peak before chunking" }
          : undefined;
      if (mark) {
        el.classList.add(mark.cls);
        const label = svg(
          "text",
          { x: x + w + 3, y: y + h / 2 + 4, class: `${mark.cls}-label` },
          el,
        );
        label.textContent = mark.text;
      }
      if (item.kind === "node") {
        el.dataset.node = String(item.node);
        text.textContent = nodeLabel(plan, item.node);
        el.addEventListener("click", () => select(item.node));
      } else {
        el.dataset.block = item.block.key;
        el.classList.add("tessera-chunk-plan-block");
        text.textContent = blockLabel(item.block);
        el.addEventListener("click", () => toggle(item.block.key));
      }
      el.addEventListener("mouseenter", () => hover(index, true));
      el.addEventListener("mouseleave", () => hover(index, false));
    });
    graphPane.replaceChildren(canvas);
    stripPane.replaceChildren(memoryStrip(plan, layout, colors.dark));
    stripPane.scrollTop = graphPane.scrollTop;
  }

  /** The node colours' scale: live memory after chunking, 0 to the unchunked peak. */
  function drawLegend(): void {
    const stops = [0, 0.25, 0.5, 0.75, 1].map((f) => memoryColor(f, colors.dark));
    const low = document.createElement("span");
    low.textContent = "live memory 0";
    const bar = html("span", "tessera-chunk-plan-legend-bar");
    bar.style.background = `linear-gradient(to right, ${stops.join(", ")})`;
    const high = document.createElement("span");
    high.textContent = formatBytes(plan.peakBytes.before);
    legend.replaceChildren(low, bar, high);
  }

  /**
   * The measured runs under the plan, linked by node name. A re-plan brings none (nothing ran
   * at the new budget), so the runs stay, captioned with the budget they belong to.
   */
  function showTimelines(next: MemoryTimelineV2Payload | undefined): void {
    if (next !== undefined) {
      timelineBudget = plan.budgetBytes;
      if (timeline && timelineOf) timeline.update(next);
      else {
        timeline = renderMemoryTimeline(timelineHost, next, {
          onHoverOp: (op) => linkNode(op === null ? null : (nodeByName.get(op) ?? null)),
        });
      }
      timelineOf = next;
    }
    timelineNote.textContent =
      timelineOf === undefined
        ? ""
        : plan.budgetBytes === timelineBudget
          ? "Measured runs of this plan: hover an allocation to find its node, or a node to find its allocations."
          : `Measured runs of the plan at ${formatBytes(timelineBudget)} (the slider's plans were not run).`;
  }

  /** Lights the node a timeline's hovered allocation belongs to (null: none). */
  function linkNode(node: number | null): void {
    if (linked !== null) {
      graphPane
        .querySelector(`g.tessera-chunk-plan-node[data-item="${layout.itemOf[linked]}"]`)
        ?.classList.remove("tessera-linked");
      lines[plan.line[linked]! - 1]?.classList.remove("tessera-hover");
    }
    linked = node;
    if (node === null) return;
    const el = graphPane.querySelector(
      `g.tessera-chunk-plan-node[data-item="${layout.itemOf[node]}"]`,
    );
    el?.classList.add("tessera-linked");
    el?.scrollIntoView({ block: "nearest", inline: "nearest" });
    lines[plan.line[node]! - 1]?.classList.add("tessera-hover");
  }

  function hover(index: number, on: boolean): void {
    const item = layout.items[index]!;
    timeline?.highlightOp(on && item.kind === "node" ? plan.name[item.node]! : null);
    graphPane
      .querySelector(`g.tessera-chunk-plan-node[data-item="${index}"]`)
      ?.classList.toggle("tessera-hover", on);
    stripPane
      .querySelector(`.tessera-chunk-plan-strip g[data-item="${index}"]`)
      ?.classList.toggle("tessera-hover", on);
    const line = item.kind === "node" ? plan.line[item.node]! : 0;
    const el = line > 0 ? lines[line - 1] : undefined;
    el?.classList.toggle("tessera-hover", on);
    if (on && el) el.scrollIntoView({ block: "nearest" });
  }

  codePane.addEventListener("mouseover", (event) => lineHover(event, true));
  codePane.addEventListener("mouseout", (event) => lineHover(event, false));
  codePane.addEventListener("click", (event) => {
    const node = (event.target as HTMLElement).closest<HTMLElement>("[data-node]")?.dataset.node;
    if (node !== undefined) select(Number(node));
  });

  function lineHover(event: MouseEvent, on: boolean): void {
    const line = (event.target as HTMLElement).closest<HTMLElement>(".tessera-chunk-plan-line");
    if (!line) return;
    line.classList.toggle("tessera-hover", on);
    const node = line.dataset.node;
    if (node === undefined) return;
    const index = layout.itemOf[Number(node)]!;
    const el = graphPane.querySelector(`g.tessera-chunk-plan-node[data-item="${index}"]`);
    el?.classList.toggle("tessera-hover", on);
    if (on && el) el.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  function toggle(key: string): void {
    if (collapsed.has(key)) collapsed.delete(key);
    else collapsed.add(key);
    draw();
  }

  function select(node: number): void {
    selected = node;
    graphPane
      .querySelectorAll(".tessera-selected")
      .forEach((el) => el.classList.remove("tessera-selected"));
    graphPane
      .querySelector(`g.tessera-chunk-plan-node[data-node="${node}"]`)
      ?.classList.add("tessera-selected");
    details.replaceChildren(nodeDetails(plan, node));
  }

  const resize = new ResizeObserver(() => {
    root.classList.toggle("tessera-narrow", element.clientWidth < 760);
  });
  resize.observe(element);
  show(first, false);
  // Open where the plan matters: the chunked program's peak in view.
  const peakBox = layout.items[layout.itemOf[plan.peakNode.after]!]?.box;
  if (peakBox) {
    graphPane.scrollLeft = Math.max(0, peakBox.x + peakBox.width / 2 - graphPane.clientWidth / 2);
    graphPane.scrollTop = Math.max(0, peakBox.y - graphPane.clientHeight / 3);
  }

  return {
    update: (next) => show(next, true),
    redraw() {
      colors = themeColors(element);
      draw();
      timeline?.redraw();
    },
    dispose() {
      timeline?.dispose();
      resize.disconnect();
      requests?.dispose();
      stopState?.();
      status.dispose();
      element.replaceChildren();
    },
  };
}

/** The chunk-plan widget: the graph, memory strip, pseudocode and live budget slider. */
export const chunkPlanWidget: WidgetSpec<ChunkPlanPayload> = {
  mimeType: MIME_CHUNK_PLAN,
  name: "chunk plan",
  validate: validateChunkPlan,
  render: renderChunkPlan,
  liveId: (payload) => payload.live?.id,
};
