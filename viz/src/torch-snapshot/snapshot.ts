import { MEMORY_TIMELINE_V2_LIMITS } from "../memory-timeline/types-v2.js";
import type { PackableEvent } from "../memory-timeline/pack.js";
import { PickleError, readPickle, type PickleValue } from "./pickle.js";

/** Options of readTorchSnapshot(). */
export interface TorchSnapshotOptions {
  /** Only these devices (CUDA ordinals); default every device whose trace has events. */
  devices?: readonly number[];
}

/** An out-of-memory error the trace recorded. */
export interface TorchOom {
  device: number;
  /** Position in the device's run (the event it follows). */
  event: number;
  /** Bytes the failed allocation asked for, and what the device had free. */
  bytes: number;
  deviceFree: number;
}

/** A snapshot read as Tessera memory events: one run per device. */
export interface TorchSnapshot {
  runs: { name: string; device: number; events: PackableEvent[] }[];
  ooms: TorchOom[];
  /** What the reader had to assume (an overflowed ring buffer, frees of unseen allocations). */
  warnings: string[];
}

/** Frames kept per allocation for the hover (the innermost first, as torch records them). */
const MAX_FRAMES = 40;

/**
 * Reads the pickle that `torch.cuda.memory._dump_snapshot(path)` writes (protocols 2 to 5)
 * into memory events: per device, each `alloc` paired by address with the `free_completed`
 * (or, in traces without those, `free_requested`/`free`) that returns it, as PyTorch's
 * memory_viz "Active Memory Timeline" pairs them. Allocations live before the trace began
 * (freed in it, or still active in `segments`) start the run. An allocation's label is its
 * first frame outside torch itself, its op the innermost frame, its detail the stack.
 * Segment actions are counted, not drawn; `oom` actions are listed.
 *
 * @example
 * const snap = readTorchSnapshot(readFileSync("snapshot.pickle"));
 * snap.runs[0].events.length;
 */
export function readTorchSnapshot(
  bytes: Uint8Array,
  options: TorchSnapshotOptions = {},
): TorchSnapshot {
  let root: PickleValue;
  try {
    root = readPickle(bytes);
  } catch (e) {
    if (e instanceof PickleError) {
      throw new PickleError(`not a readable PyTorch memory snapshot: ${e.message}`);
    }
    throw e;
  }
  if (!(root instanceof Map) || !root.has("device_traces") || !root.has("segments")) {
    const what =
      root instanceof Map
        ? `a dict with keys ${[...root.keys()].slice(0, 8).map(String).join(", ")}`
        : describe(root);
    throw new PickleError(
      `not a PyTorch memory snapshot: expected the dict torch.cuda.memory._snapshot() returns (with "segments" and "device_traces"), got ${what}`,
    );
  }
  const traces = root.get("device_traces");
  const segments = root.get("segments");
  if (!Array.isArray(traces) || !Array.isArray(segments)) {
    throw new PickleError(
      `not a PyTorch memory snapshot: "device_traces" and "segments" must be lists`,
    );
  }
  const warnings: string[] = [];
  const settings = root.get("allocator_settings");
  if (settings instanceof Map && settings.get("trace_alloc_overflowed") === true) {
    warnings.push(
      "the trace's ring buffer overflowed (_record_memory_history(max_entries=…) was too small): the oldest events are missing",
    );
  }
  const ooms: TorchOom[] = [];
  const runs: TorchSnapshot["runs"] = [];
  traces.forEach((trace, device) => {
    if (!Array.isArray(trace) || trace.length === 0) return;
    if (options.devices && !options.devices.includes(device)) return;
    runs.push({
      name: `cuda:${device}`,
      device,
      events: deviceEvents(device, trace, segments, warnings, ooms),
    });
  });
  if (runs.length === 0) {
    throw new PickleError(
      "the snapshot has no trace events: record them with torch.cuda.memory._record_memory_history() before _dump_snapshot()",
    );
  }
  return { runs, ooms, warnings };
}

interface Live {
  allocation: number;
  bytes: number;
  label: string;
  op: string;
  detail: string | undefined;
}

function deviceEvents(
  device: number,
  trace: PickleValue[],
  segments: PickleValue[],
  warnings: string[],
  ooms: TorchOom[],
): PackableEvent[] {
  const hasCompleted = trace.some((e) => field(e, "action") === "free_completed");
  const freeAction = hasCompleted ? "free_completed" : undefined;
  const live = new Map<number | bigint, Live>();
  const before: Live[] = [];
  const body: { kind: "alloc" | "free"; live: Live; time: number }[] = [];
  let next = 0;
  let t0 = Infinity;
  for (const e of trace) {
    const t = num(field(e, "time_us"));
    if (Number.isFinite(t)) t0 = Math.min(t0, t);
  }
  if (!Number.isFinite(t0)) t0 = 0;
  let time = 0;
  let unseenFrees = 0;
  let reused = 0;
  const deviceOoms: TorchOom[] = [];
  const make = (e: PickleValue): Live => {
    const frames = framesOf(field(e, "frames"));
    return { allocation: next++, bytes: size(field(e, "size")), ...describeFrames(frames) };
  };
  for (const e of trace) {
    const action = field(e, "action");
    const addr = field(e, "addr") as number | bigint;
    const tUs = num(field(e, "time_us"));
    // Times must not go back: a clock step backwards keeps the last time.
    if (Number.isFinite(tUs)) time = Math.max(time, (tUs - t0) / 1000);
    if (action === "alloc") {
      const old = live.get(addr);
      if (old) {
        // The free of the block at this address was lost (an overflowed ring buffer).
        reused++;
        body.push({ kind: "free", live: old, time });
      }
      const a = make(e);
      live.set(addr, a);
      body.push({ kind: "alloc", live: a, time });
    } else if (
      action === freeAction ||
      (freeAction === undefined && (action === "free_requested" || action === "free"))
    ) {
      let a = live.get(addr);
      if (!a) {
        // Allocated before the trace began: it starts the run.
        unseenFrees++;
        a = { ...make(e), label: "allocated before the trace" };
        before.push(a);
      }
      live.delete(addr);
      body.push({ kind: "free", live: a, time });
    } else if (action === "oom") {
      deviceOoms.push({
        device,
        // The body's position for now: the allocations from before the trace go first.
        event: body.length - 1,
        bytes: num(field(e, "size")),
        deviceFree: num(field(e, "device_free")),
      });
    }
  }
  // Blocks active when the snapshot was taken that the trace never allocated.
  const liveAddrs = new Set([...live.keys()].map(String));
  for (const seg of segments) {
    if (num(field(seg, "device")) !== device) continue;
    const blocks = field(seg, "blocks");
    if (!Array.isArray(blocks)) continue;
    for (const b of blocks) {
      const state = field(b, "state");
      if (state !== "active_allocated" && state !== "active_awaiting_free") continue;
      if (liveAddrs.has(String(field(b, "address")))) continue;
      const frames = framesOf(field(b, "frames"));
      const described = describeFrames(frames);
      before.push({
        allocation: next++,
        bytes: size(field(b, "size")),
        ...described,
        label: frames.length > 0 ? described.label : "allocated before the trace",
      });
    }
  }
  if (unseenFrees > 0)
    warnings.push(
      `cuda:${device}: ${unseenFrees} frees of blocks allocated before the trace began (drawn from its start)`,
    );
  if (reused > 0)
    warnings.push(
      `cuda:${device}: ${reused} addresses allocated again without a recorded free (the free was assumed)`,
    );
  const events: PackableEvent[] = [];
  const push = (kind: "alloc" | "free", a: Live, timeMs: number) =>
    events.push({
      index: events.length,
      kind,
      allocation: a.allocation,
      bytes: a.bytes,
      label: a.label,
      op: a.op,
      timeMs,
      ...(a.detail !== undefined ? { detail: a.detail } : {}),
    });
  for (const oom of deviceOoms) ooms.push({ ...oom, event: before.length + oom.event });
  for (const a of before) push("alloc", a, 0);
  for (const { kind, live: a, time: t } of body) push(kind, a, t);
  if (events.length > MEMORY_TIMELINE_V2_LIMITS.events) {
    throw new RangeError(
      `cuda:${device}: ${events.length} events exceed the timeline's limit of ${MEMORY_TIMELINE_V2_LIMITS.events}; record fewer (_record_memory_history(max_entries=…)) or pass one device`,
    );
  }
  return events;
}

interface Frame {
  filename: string;
  line: number;
  name: string;
}

function framesOf(v: PickleValue | undefined): Frame[] {
  if (!Array.isArray(v)) return [];
  return v.slice(0, MAX_FRAMES).map((f) => ({
    filename: String(field(f, "filename") ?? "??"),
    line: num(field(f, "line")),
    name: String(field(f, "name") ?? "??"),
  }));
}

/** Torch's own frames (the allocator, autograd, the Python bindings) say little about who allocated. */
function internal(f: Frame): boolean {
  return (
    f.filename === "??" ||
    /(^|\/)torch\/|\/site-packages\/|^<frozen |\.(cpp|h|cu|cuh)$/.test(f.filename)
  );
}

function describeFrames(frames: Frame[]): {
  label: string;
  op: string;
  detail: string | undefined;
} {
  if (frames.length === 0) return { label: "no stack recorded", op: "unknown", detail: undefined };
  const user = frames.find((f) => !internal(f)) ?? frames[0]!;
  const at = (f: Frame) => `${f.name} (${f.filename.split("/").pop()}:${f.line})`;
  return {
    label: cut(at(user), MEMORY_TIMELINE_V2_LIMITS.text),
    op: cut(frames[0]!.name, MEMORY_TIMELINE_V2_LIMITS.text),
    detail: cut(
      frames.map((f) => `${f.name} at ${f.filename}:${f.line}`).join("\n"),
      MEMORY_TIMELINE_V2_LIMITS.detail,
    ),
  };
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function field(v: PickleValue | undefined, name: string): PickleValue | undefined {
  return v instanceof Map ? v.get(name) : undefined;
}

/** A size in bytes; a missing or malformed one counts as 0 rather than breaking the timeline. */
function size(v: PickleValue | undefined): number {
  const n = num(v);
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

function num(v: PickleValue | undefined): number {
  return typeof v === "number"
    ? v
    : typeof v === "bigint"
      ? Number(v)
      : typeof v === "boolean"
        ? Number(v)
        : NaN;
}

function describe(v: PickleValue): string {
  if (v === null) return "None";
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (typeof v === "object" && "pickled" in v) return `a ${v.pickled} object`;
  return `a ${typeof v}`;
}
