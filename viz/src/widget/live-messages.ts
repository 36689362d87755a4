/**
 * The messages of a live widget's comm (target `tessera`), shared by the kernel side
 * (kernel/src/api/live.ts) and the front end (extension/src/live-channel.ts).
 *
 * - front end → kernel, `comm_open` data: `{ widget: id }`; the kernel closes the comm
 *   with `{ error }` when it knows no widget of that id.
 * - front end → kernel, `comm_msg` data: `{ request: n, method, params }` (+ buffers).
 * - kernel → front end, `comm_msg` data: `{ reply: n, result }` or `{ reply: n, error }`
 *   (+ buffers), one per request, in any order.
 */
export const LIVE_TARGET = "tessera";

/** The reference a payload carries (its `live` field) when its widget has live parts. */
export interface LiveRef {
  /** Comm target; always "tessera". */
  target: typeof LIVE_TARGET;
  /** The kernel-side widget's id, sent in the comm_open's data. */
  id: string;
}

export interface LiveOpen {
  widget: string;
}

export interface LiveRequest {
  request: number;
  method: string;
  params: Record<string, unknown>;
}

export type LiveResponse =
  { reply: number; result: Record<string, unknown> } | { reply: number; error: string };
