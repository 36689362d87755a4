import { join, Problems, type Validation } from "../common/problems.js";
import {
  MEMORY_TIMELINE_LIMITS as LIMITS,
  type MemoryEvent,
  type MemoryTimelinePayload,
} from "./types.js";

const PAYLOAD_KEYS = ["version", "title", "xAxis", "events", "predicted", "budgetBytes"] as const;
const EVENT_KEYS = ["index", "kind", "allocation", "bytes", "label", "op", "timeMs"] as const;
const POINT_KEYS = ["x", "bytes"] as const;

/**
 * Checks that `x` is a memory-timeline payload: its structure (as `memoryTimelineSchema`
 * states it) and the rules between events. Errors name the path and what is wrong.
 *
 * @example
 * const r = validateMemoryTimeline(JSON.parse(text));
 * if (!r.ok) console.error(r.errors.join("\n")); // e.g. "events[3].bytes: expected a non-negative integer, got -1"
 */
export function validateMemoryTimeline(x: unknown): Validation<MemoryTimelinePayload> {
  const p = new Problems();
  if (p.record(x, "", PAYLOAD_KEYS)) {
    p.oneOf(x.version, "version", [1]);
    if (x.title !== undefined) p.text(x.title, "title", LIMITS.text);
    if (x.xAxis !== undefined) p.oneOf(x.xAxis, "xAxis", ["index", "time"]);
    if (x.budgetBytes !== undefined) p.number(x.budgetBytes, "budgetBytes", 0);
    checkEvents(x.events, p);
    if (x.predicted !== undefined) {
      checkPredicted(x.predicted, "predicted", LIMITS.predictedPoints, p);
    }
  }
  return p.empty
    ? { ok: true, value: x as MemoryTimelinePayload }
    : { ok: false, errors: p.messages };
}

function checkEvents(events: unknown, p: Problems): void {
  if (!Array.isArray(events)) {
    p.add("events", events === undefined ? "is required" : "expected an array of events");
    return;
  }
  if (events.length > LIMITS.events) {
    p.add(
      "events",
      `${events.length} events exceed the limit of ${LIMITS.events}; summarise the log first`,
    );
    return;
  }
  // After a malformed event the rules between events would only report its echoes
  // (its free "never allocated"), so they stop there.
  let order: EventOrder | undefined = new EventOrder(p);
  events.forEach((event, i) => {
    const path = join("events", i);
    if (checkEvent(event, path, p)) order?.check(event, path);
    else order = undefined;
  });
}

function checkEvent(e: unknown, path: string, p: Problems): e is MemoryEvent {
  if (!p.record(e, path, EVENT_KEYS)) return false;
  // Every field is checked (no short-circuit), so one pass reports all of an event's problems.
  const ok = [
    p.count(e.index, join(path, "index")),
    p.oneOf(e.kind, join(path, "kind"), ["alloc", "free"]),
    p.count(e.allocation, join(path, "allocation")),
    p.count(e.bytes, join(path, "bytes")),
    p.text(e.label, join(path, "label"), LIMITS.text),
    p.text(e.op, join(path, "op"), LIMITS.text),
    p.number(e.timeMs, join(path, "timeMs"), 0),
  ];
  return ok.every(Boolean);
}

/** The rules between events: ordering, and each free matching an earlier alloc. */
class EventOrder {
  readonly #p: Problems;
  #last: { event: MemoryEvent; path: string } | undefined;
  /** Where each allocation was allocated and, once it is, freed. */
  readonly #allocations = new Map<number, { bytes: number; at: string; freedAt?: string }>();

  constructor(p: Problems) {
    this.#p = p;
  }

  check(e: MemoryEvent, path: string): void {
    const last = this.#last;
    if (last && e.index <= last.event.index) {
      this.#p.add(
        join(path, "index"),
        `${e.index} does not follow ${last.path}.index (${last.event.index}); indexes must strictly increase`,
      );
    }
    if (last && e.timeMs < last.event.timeMs) {
      this.#p.add(
        join(path, "timeMs"),
        `${e.timeMs} is earlier than ${last.path}.timeMs (${last.event.timeMs}); times must not decrease`,
      );
    }
    this.#last = { event: e, path };
    const a = this.#allocations.get(e.allocation);
    if (e.kind === "alloc") {
      if (a) this.#p.add(path, `allocation ${e.allocation} is allocated again (first at ${a.at})`);
      else this.#allocations.set(e.allocation, { bytes: e.bytes, at: path });
    } else if (!a) {
      this.#p.add(
        path,
        `allocation ${e.allocation} is freed but not allocated earlier in the payload`,
      );
    } else if (a.freedAt !== undefined) {
      this.#p.add(path, `allocation ${e.allocation} is freed again (first at ${a.freedAt})`);
    } else {
      a.freedAt = path;
      if (e.bytes !== a.bytes) {
        this.#p.add(
          join(path, "bytes"),
          `${e.bytes} differs from the ${a.bytes} bytes allocation ${e.allocation} has (${a.at})`,
        );
      }
    }
  }
}

/** A predicted live-bytes curve at `path` (v1, v2's runs): at most `limit` points, x ascending. */
export function checkPredicted(points: unknown, path: string, limit: number, p: Problems): void {
  if (!Array.isArray(points)) {
    p.add(path, "expected an array of {x, bytes} points");
    return;
  }
  if (points.length > limit) {
    p.add(path, `${points.length} points exceed the limit of ${limit}`);
    return;
  }
  let lastX = -Infinity;
  points.forEach((point, i) => {
    const at = join(path, i);
    if (!p.record(point, at, POINT_KEYS)) return;
    const { x } = point;
    const okX = p.number(x, join(at, "x"));
    p.number(point.bytes, join(at, "bytes"), 0);
    if (!okX) return;
    if (x < lastX)
      p.add(
        join(at, "x"),
        `${x} is less than the previous point's x (${lastX}); x must not decrease`,
      );
    lastX = x;
  });
}
