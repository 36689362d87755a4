/**
 * Synthetic memory logs for renderer tests and the widget benchmark: a layered program's
 * pattern (buffers allocated by each op, mostly the newest freed first, some old ones freed
 * out of order, sizes over four orders of magnitude, the live set swelling and draining in
 * waves), seeded, so a size in events gives the same log each time.
 */
import type { PackableEvent } from "../src/memory-timeline/pack.js";

const OPS = ["linear", "matmul", "softmax", "gelu", "layer_norm", "add"] as const;

/**
 * About `count` events (exactly `count` when even): `count / 2` allocations, each freed.
 *
 * @example
 * const events = syntheticEvents(10_000); // 10,000 events, 5,000 allocations
 */
export function syntheticEvents(count: number, seed = 1): PackableEvent[] {
  let state = seed >>> 0 || 1;
  const random = () => {
    // xorshift32: deterministic and fast enough for a million draws.
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
  const events: PackableEvent[] = [];
  const live: { id: number; bytes: number; label: string; op: string; node: string }[] = [];
  let next = 0;
  let time = 0;
  const push = (kind: "alloc" | "free", a: (typeof live)[number]) =>
    events.push({
      index: events.length,
      kind,
      allocation: a.id,
      bytes: a.bytes,
      label: a.label,
      op: a.op,
      node: a.node,
      timeMs: (time += 0.01 + random() * 0.05),
    });
  const allocations = Math.floor(count / 2);
  for (let i = 0; events.length < count; i++) {
    // 48 layers of 24 ops, run again and again (training steps): names repeat, as in real logs.
    const layer = Math.floor(i / 24) % 48;
    const op = OPS[i % OPS.length]!;
    const node = `h${layer}.${op}_${i % 24}`;
    // Sizes spread over four orders of magnitude, as activations and workspaces do.
    const bytes = Math.round(2 ** (10 + random() * 14)) * 4;
    const canAlloc = next < allocations;
    // The live set swells and drains in waves (forward passes), between about 200 and 3,000
    // allocations, as a long training or inference log does.
    const target = 1_600 + 1_400 * Math.sin(i / 4_000);
    if (canAlloc && (live.length < 8 || random() < (live.length < target ? 0.6 : 0.4))) {
      const a = { id: next++, bytes, label: `${node}.out`, op, node };
      live.push(a);
      push("alloc", a);
    } else if (live.length > 0) {
      // Mostly the newest buffers go first, sometimes an old one: the stack both shrinks
      // at the top and has holes punched in it.
      const pick =
        random() < 0.8
          ? live.length - 1 - Math.floor(random() * Math.min(3, live.length))
          : Math.floor(random() * live.length);
      const [a] = live.splice(pick, 1);
      push("free", a!);
    } else break;
  }
  return events;
}
