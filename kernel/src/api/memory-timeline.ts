import {
  formatBytes,
  MIME_MEMORY_TIMELINE_V2,
  memoryTimelineV2Svg,
  packMemoryEvents,
  readTorchSnapshot,
  unpackMemoryEvents,
  validateMemoryTimelineV2,
  type MemoryEvent,
  type MemoryTimelineV2Payload,
  type PackableEvent,
  type PredictedPoint,
  type TorchSnapshotOptions,
} from "@tessera/viz";
import { JUPYTER_DISPLAY, type Displayable, type MimeBundle } from "../display/bundle.js";

/** A run's events: a tracker (anything with `events`, such as gpu's MemoryTracker) or a list. */
export type MemoryEventSource =
  { readonly events: readonly MemoryEvent[] } | readonly MemoryEvent[];

/** A predicted live-bytes value at a graph node (e.g. `plan.nodes[i].beforeBytes`). */
export interface NodePrediction {
  node: string;
  bytes: number;
}

/** A predicted curve: points on the run's x axis, or values at graph nodes placed where the node's first event is. */
export type Prediction = readonly PredictedPoint[] | readonly NodePrediction[];

export interface MemoryTimelineOptions {
  title?: string;
  /** Plot over event index (default) or over time. */
  xAxis?: "index" | "time";
  /**
   * A predicted live-bytes curve to compare with the measured one: for one run, the curve;
   * for several, an object of curves by run name.
   */
  predicted?: Prediction | Readonly<Record<string, Prediction>>;
  /** A memory budget, drawn as a line. */
  budgetBytes?: number;
  /** With several runs: "node" (default) aligns them by graph node on the x axis; "none" does not. */
  align?: "node" | "none";
  /**
   * The graph node an event belongs to, by which runs are aligned and a plan's nodes are
   * linked. Default: the label without loop prefixes (`chunk1/`), a `:workspace`-style suffix
   * or a `#2` copy number, which is how AutoChunk's executors label buffers.
   */
  nodeOf?: (event: MemoryEvent) => string;
  /** The name of a single run (default "run"). */
  name?: string;
}

/** A displayable memory timeline; `payload` is the plain data the widget gets. */
export interface MemoryTimeline extends Displayable {
  readonly payload: MemoryTimelineV2Payload;
}

/**
 * The memory timeline of one run (a MemoryTracker or an event list), or of several runs to
 * compare, given as an object of named runs. As a cell's last value it renders as an
 * interactive timeline in JupyterLab (zoom, hover, search; several runs one above the
 * other, aligned by graph node), and as SVG or text elsewhere. It sends
 * `application/vnd.tessera.memory-timeline.v2+json`; v1 outputs of older notebooks still render.
 *
 * @example
 * memoryTimeline(mem, { title: "one matmul" });
 * // Two runs of AutoChunk, aligned by node, with the plan's predictions:
 * memoryTimeline(
 *   { unchunked: plain.memory, chunked: chunked.memory },
 *   { budgetBytes: budget, predicted: { unchunked: plan.nodes.map((n) => ({ node: n.name, bytes: n.beforeBytes })) } },
 * );
 */
export function memoryTimeline(
  source: MemoryEventSource | Readonly<Record<string, MemoryEventSource>>,
  options: MemoryTimelineOptions = {},
): MemoryTimeline {
  const runs = namedRuns(source, options.name ?? "run");
  const nodeOf = options.nodeOf ?? autochunkNode;
  const payload: MemoryTimelineV2Payload = {
    version: 2,
    ...(options.title !== undefined ? { title: options.title } : {}),
    ...(options.xAxis !== undefined ? { xAxis: options.xAxis } : {}),
    ...(options.align !== undefined ? { align: options.align } : {}),
    ...(options.budgetBytes !== undefined ? { budgetBytes: options.budgetBytes } : {}),
    runs: runs.map(([name, events]) => {
      const packable: PackableEvent[] = events.map((e) => ({ ...e, node: nodeOf(e) }));
      const predicted = predictionFor(options.predicted, name, runs.length);
      return {
        name,
        events: packMemoryEvents(packable),
        ...(predicted ? { predicted: placePrediction(predicted, packable, options.xAxis) } : {}),
      };
    }),
  };
  return timelineOf(payload);
}

/**
 * The timeline of a PyTorch memory snapshot: the bytes of the pickle that
 * `torch.cuda.memory._dump_snapshot(path)` writes (protocols 2 to 5), one run per device with
 * trace events, allocations paired by address, stack frames on hover. Throws a clear error
 * for a truncated file or a pickle that is not a snapshot.
 *
 * @example
 * import { readFileSync } from "node:fs";
 * memoryTimeline.fromTorchSnapshot(readFileSync("snapshot.pickle"), { title: "one training step" });
 */
memoryTimeline.fromTorchSnapshot = function fromTorchSnapshot(
  bytes: Uint8Array,
  options: Pick<MemoryTimelineOptions, "title" | "xAxis" | "budgetBytes"> &
    TorchSnapshotOptions = {},
): MemoryTimeline {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(
      'memoryTimeline.fromTorchSnapshot() takes the file\'s bytes, e.g. readFileSync("snapshot.pickle").',
    );
  }
  const snapshot = readTorchSnapshot(bytes, options);
  const payload: MemoryTimelineV2Payload = {
    version: 2,
    title: options.title ?? "PyTorch memory snapshot",
    ...(options.xAxis !== undefined ? { xAxis: options.xAxis } : {}),
    align: "none",
    ...(options.budgetBytes !== undefined ? { budgetBytes: options.budgetBytes } : {}),
    runs: snapshot.runs.map((run) => ({ name: run.name, events: packMemoryEvents(run.events) })),
  };
  const notes = [
    ...snapshot.ooms.map(
      (o) =>
        `out of memory on cuda:${o.device} after event ${o.event}: ${formatBytes(o.bytes)} requested, ${formatBytes(o.deviceFree)} free`,
    ),
    ...snapshot.warnings,
  ];
  return timelineOf(payload, notes);
};

function timelineOf(
  payload: MemoryTimelineV2Payload,
  notes: readonly string[] = [],
): MemoryTimeline {
  const checked = validateMemoryTimelineV2(payload);
  if (!checked.ok) {
    throw new TypeError(
      `memoryTimeline(): the events do not form a valid timeline:\n  ${checked.errors.join("\n  ")}`,
    );
  }
  return {
    payload,
    [JUPYTER_DISPLAY]: (): MimeBundle => ({
      [MIME_MEMORY_TIMELINE_V2]: payload,
      "image/svg+xml": memoryTimelineV2Svg(payload),
      "text/plain": [summary(payload), ...notes].join("\n"),
    }),
  };
}

function eventsOf(source: unknown): readonly MemoryEvent[] | undefined {
  if (Array.isArray(source)) return source as MemoryEvent[];
  const events = (source as { events?: unknown } | null)?.events;
  return Array.isArray(events) ? (events as MemoryEvent[]) : undefined;
}

function namedRuns(
  source: MemoryEventSource | Readonly<Record<string, MemoryEventSource>>,
  name: string,
): [string, readonly MemoryEvent[]][] {
  const single = eventsOf(source);
  if (single) return [[name, single]];
  const usage =
    "memoryTimeline() takes a MemoryTracker (or anything with `events`), an array of memory events, or an object of named runs such as { unchunked: trackerA, chunked: trackerB }.";
  if (typeof source !== "object" || source === null) throw new TypeError(usage);
  const runs = Object.entries(source).map(([key, run]): [string, readonly MemoryEvent[]] => {
    const events = eventsOf(run);
    if (!events) throw new TypeError(`${usage} Run "${key}" is neither.`);
    return [key, events];
  });
  if (runs.length === 0) throw new TypeError(usage);
  return runs;
}

function predictionFor(
  predicted: MemoryTimelineOptions["predicted"],
  run: string,
  runs: number,
): Prediction | undefined {
  if (predicted === undefined) return undefined;
  if (Array.isArray(predicted)) {
    if (runs > 1) {
      throw new TypeError(
        "memoryTimeline(): with several runs, `predicted` is an object of curves by run name, e.g. { unchunked: [...] }.",
      );
    }
    return predicted as Prediction;
  }
  return (predicted as Readonly<Record<string, Prediction>>)[run];
}

/** Points stay as given; node values go to the x of the node's first event (nodes without events drop out). */
function placePrediction(
  predicted: Prediction,
  events: readonly PackableEvent[],
  xAxis: "index" | "time" | undefined,
): PredictedPoint[] {
  const points = predicted as readonly (PredictedPoint | NodePrediction)[];
  if (points.every((p) => "x" in p)) return (points as PredictedPoint[]).map((p) => ({ ...p }));
  const firstAt = new Map<string, PackableEvent>();
  for (const e of events) if (e.node !== undefined && !firstAt.has(e.node)) firstAt.set(e.node, e);
  const placed: PredictedPoint[] = [];
  for (const p of points as NodePrediction[]) {
    const e = firstAt.get(p.node);
    if (e) placed.push({ x: xAxis === "time" ? e.timeMs : e.index, bytes: p.bytes });
  }
  return placed.sort((a, b) => a.x - b.x);
}

/**
 * The graph node of an AutoChunk executor's buffer: its label less the loop path
 * ("chunk1/h0.attn.matmul" → "h0.attn.matmul"), a suffix after ":" ("…:workspace") and the
 * chunked program's copy number ("#2").
 */
export function autochunkNode(event: MemoryEvent): string {
  const name = event.label.slice(event.label.lastIndexOf("/") + 1);
  const colon = name.indexOf(":");
  return (colon >= 0 ? name.slice(0, colon) : name).replace(/#\d+$/, "") || event.label;
}

function summary(p: MemoryTimelineV2Payload): string {
  const title = p.title ? `${p.title}: ` : "";
  const runs = p.runs.map((run) => {
    const stats = liveStats(run.events);
    const name = p.runs.length > 1 ? `${run.name}: ` : "";
    return `${name}memory timeline of ${run.events.count} events, peak ${formatBytes(stats.peak)}${stats.peakAt >= 0 ? ` at event ${stats.peakAt}` : ""}, ${formatBytes(stats.live)} live at the end`;
  });
  return title + runs.join("; ");
}

function liveStats(events: MemoryTimelineV2Payload["runs"][number]["events"]) {
  const { kind, bytes, index } = unpackMemoryEvents(events);
  let live = 0;
  let peak = 0;
  let peakAt = -1;
  for (let k = 0; k < kind.length; k++) {
    live += kind[k] === 0 ? bytes[k]! : -bytes[k]!;
    if (live > peak) [peak, peakAt] = [live, index[k]!];
  }
  return { live, peak, peakAt };
}
