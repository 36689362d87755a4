import { decodeBase64, encodeBase64 } from "../common/packed.js";
import type { MemoryEvent } from "./types.js";
import { NO_DETAIL, type MemoryEventColumns, type PackedMemoryEvents } from "./types-v2.js";

/** An event to pack: v1's event, with the graph node and a hover detail when known. */
export interface PackableEvent extends MemoryEvent {
  node?: string;
  detail?: string;
}

/**
 * Packs an event log into a v2 run's columns. Strings are stored once each; `index` is left
 * out when it is 0, 1, 2, … (a tracker's log), `node` when it equals the label everywhere.
 *
 * @example
 * const run = { name: "unchunked", events: packMemoryEvents(tracker.events) };
 */
export function packMemoryEvents(events: readonly PackableEvent[]): PackedMemoryEvents {
  const n = events.length;
  const strings: string[] = [];
  const ids = new Map<string, number>();
  const intern = (s: string): number => {
    let id = ids.get(s);
    if (id === undefined) {
      id = strings.length;
      strings.push(s);
      ids.set(s, id);
    }
    return id;
  };
  const kind = new Uint8Array(n);
  const allocation = new Uint32Array(n);
  const bytes = new Float64Array(n);
  const timeMs = new Float64Array(n);
  const index = new Float64Array(n);
  const label = new Uint32Array(n);
  const op = new Uint32Array(n);
  const node = new Uint32Array(n);
  const detail = new Uint32Array(n).fill(NO_DETAIL);
  let consecutive = true;
  let nodeIsLabel = true;
  let anyDetail = false;
  events.forEach((e, k) => {
    kind[k] = e.kind === "alloc" ? 0 : 1;
    allocation[k] = e.allocation;
    bytes[k] = e.bytes;
    timeMs[k] = e.timeMs;
    index[k] = e.index;
    consecutive &&= e.index === k;
    const l = intern(e.label);
    label[k] = l;
    op[k] = intern(e.op);
    node[k] = e.node === undefined ? l : intern(e.node);
    nodeIsLabel &&= node[k] === l;
    if (e.detail !== undefined) {
      detail[k] = intern(e.detail);
      anyDetail = true;
    }
  });
  return {
    count: n,
    kind: column(kind),
    allocation: column(allocation),
    bytes: column(bytes),
    timeMs: column(timeMs),
    ...(consecutive ? {} : { index: column(index) }),
    label: column(label),
    op: column(op),
    ...(nodeIsLabel ? {} : { node: column(node) }),
    ...(anyDetail ? { detail: column(detail) } : {}),
    strings,
  };
}

/** Element type of each column: its constructor. */
const COLUMNS = {
  kind: Uint8Array,
  allocation: Uint32Array,
  bytes: Float64Array,
  timeMs: Float64Array,
  index: Float64Array,
  label: Uint32Array,
  op: Uint32Array,
  node: Uint32Array,
  detail: Uint32Array,
} as const;

type ColumnName = keyof typeof COLUMNS;

/**
 * Decodes one column; throws a RangeError naming `path` when the text is not base64 of
 * `count` values of the column's type.
 */
function unpackColumn<C extends ColumnName>(
  name: C,
  text: string,
  count: number,
  path: string,
): InstanceType<(typeof COLUMNS)[C]> {
  const Ctor = COLUMNS[name];
  const raw = decodeBase64(text, path);
  const want = count * Ctor.BYTES_PER_ELEMENT;
  if (raw.length !== want) {
    throw new RangeError(
      `${path}: ${count} events need ${want} bytes of ${Ctor.name}, the base64 holds ${raw.length}`,
    );
  }
  return new Ctor(raw.buffer, raw.byteOffset, count) as InstanceType<(typeof COLUMNS)[C]>;
}

/**
 * Decodes a run's columns (the payload should be valid: `validateMemoryTimelineV2`).
 *
 * @example
 * const cols = unpackMemoryEvents(payload.runs[0].events);
 * cols.strings[cols.label[0]]; // the first event's label
 */
export function unpackMemoryEvents(p: PackedMemoryEvents, path = "events"): MemoryEventColumns {
  // The validator decodes a run, then the renderer reads it: decode a million events once.
  const cached = decoded.get(p);
  if (cached) return cached;
  const n = p.count;
  const get = <C extends ColumnName>(name: C, text: string) =>
    unpackColumn(name, text, n, `${path}.${name}`);
  const label = get("label", p.label);
  const columns: MemoryEventColumns = {
    count: n,
    kind: get("kind", p.kind),
    allocation: get("allocation", p.allocation),
    bytes: get("bytes", p.bytes),
    timeMs: get("timeMs", p.timeMs),
    index: p.index === undefined ? iota(n) : get("index", p.index),
    label,
    op: get("op", p.op),
    node: p.node === undefined ? label : get("node", p.node),
    detail: p.detail === undefined ? new Uint32Array(n).fill(NO_DETAIL) : get("detail", p.detail),
    strings: p.strings,
  };
  decoded.set(p, columns);
  return columns;
}

const decoded = new WeakMap<PackedMemoryEvents, MemoryEventColumns>();

/** The events back as objects (v1's shape, with node and detail), for producers and tests. */
export function memoryEventsOf(p: PackedMemoryEvents): PackableEvent[] {
  const c = unpackMemoryEvents(p);
  return Array.from({ length: c.count }, (_, k): PackableEvent => {
    const d = c.detail[k]!;
    return {
      index: c.index[k]!,
      kind: c.kind[k] === 0 ? "alloc" : "free",
      allocation: c.allocation[k]!,
      bytes: c.bytes[k]!,
      label: c.strings[c.label[k]!]!,
      op: c.strings[c.op[k]!]!,
      timeMs: c.timeMs[k]!,
      node: c.strings[c.node[k]!]!,
      ...(d === NO_DETAIL ? {} : { detail: c.strings[d]! }),
    };
  });
}

function column(values: ArrayBufferView): string {
  return encodeBase64(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
}

function iota(n: number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = k;
  return out;
}
