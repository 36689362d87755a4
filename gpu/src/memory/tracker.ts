/** Whether an event allocates or frees a buffer. */
export type MemoryEventKind = "alloc" | "free";

/** One allocation or release, as the tracked allocator records it. */
export interface MemoryEvent {
  /** Monotonic position of the event in this tracker's log, from 0. */
  index: number;
  kind: MemoryEventKind;
  /** The allocation this event belongs to; an alloc and its free share it. */
  allocation: number;
  bytes: number;
  label: string;
  /** The operation that owns the buffer (a kernel, a graph node, "user"). */
  op: string;
  /** Milliseconds since the tracker was created. */
  timeMs: number;
}

/** A buffer that is live at some point of the log. */
export interface Allocation {
  id: number;
  bytes: number;
  label: string;
  op: string;
}

/**
 * Records every device allocation and release, so that memory timelines and
 * measured peaks come from events rather than estimates (DESIGN.md, memory accounting).
 *
 * @example
 * const mem = new MemoryTracker();
 * const a = mem.alloc(1024, "queries", "search");
 * mem.free(a);
 * mem.peakBytes; // 1024
 */
export class MemoryTracker {
  readonly #events: MemoryEvent[] = [];
  readonly #live = new Map<number, Allocation>();
  readonly #start: number;
  readonly #now: () => number;
  #nextId = 0;
  #liveBytes = 0;
  #peakBytes = 0;

  /** @param now clock in milliseconds; injectable so tests are deterministic. */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
    this.#start = now();
  }

  /** Records an allocation of `bytes` and returns its id. */
  alloc(bytes: number, label: string, op = "user"): number {
    if (!Number.isSafeInteger(bytes) || bytes < 0) {
      throw new RangeError(
        `MemoryTracker.alloc: bytes must be a non-negative integer, got ${bytes} for "${label}".`,
      );
    }
    const id = this.#nextId++;
    this.#live.set(id, { id, bytes, label, op });
    this.#liveBytes += bytes;
    this.#peakBytes = Math.max(this.#peakBytes, this.#liveBytes);
    this.#record("alloc", id, bytes, label, op);
    return id;
  }

  /** Records the release of allocation `id`. */
  free(id: number): void {
    const a = this.#live.get(id);
    if (a === undefined) {
      throw new Error(
        `MemoryTracker.free: allocation ${id} is not live (freed twice, or never allocated here).`,
      );
    }
    this.#live.delete(id);
    this.#liveBytes -= a.bytes;
    this.#record("free", id, a.bytes, a.label, a.op);
  }

  /** The log so far, oldest first. */
  get events(): readonly MemoryEvent[] {
    return this.#events;
  }

  /** Bytes allocated and not yet freed. */
  get liveBytes(): number {
    return this.#liveBytes;
  }

  /** The largest `liveBytes` seen so far. */
  get peakBytes(): number {
    return this.#peakBytes;
  }

  /** Allocations not yet freed, in allocation order. */
  get live(): readonly Allocation[] {
    return [...this.#live.values()];
  }

  #record(kind: MemoryEventKind, allocation: number, bytes: number, label: string, op: string) {
    this.#events.push({
      index: this.#events.length,
      kind,
      allocation,
      bytes,
      label,
      op,
      timeMs: this.#now() - this.#start,
    });
  }
}
