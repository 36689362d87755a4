import { formatBytes } from "../common/bytes.js";
import type { RunModel } from "./model-v2.js";
import { NO_DETAIL } from "./types-v2.js";

/** Lines of a stack trace shown on hover; the rest is counted. */
const DETAIL_LINES = 12;

/**
 * What the hover says about allocation `slot` of `run` (plain text, one fact a line):
 * label, op and node, size, alloc and free events with times, lifetime, the live total at
 * the hovered step, and the allocation's detail (a stack trace) when it has one.
 *
 * @example
 * hoverText(run, 3, 120, false);
 * // "scores\nmatmul · node h0.attn.matmul\n4.00 MiB\nallocated at event 17 (2.1 ms), freed at event 40 (3.5 ms)\n…"
 */
export function hoverText(run: RunModel, slot: number, step: number, withRunName: boolean): string {
  const c = run.columns;
  const k = run.from[slot]!;
  const f = run.to[slot]!;
  const text = (id: number) => c.strings[id]!;
  const label = text(c.label[k]!);
  const op = text(c.op[k]!);
  const node = text(c.node[k]!);
  const at = (e: number) => `event ${c.index[e]} (${ms(c.timeMs[e]!)})`;
  const lines = [
    ...(withRunName ? [`run: ${run.name}`] : []),
    label,
    node === label ? op : `${op} · node ${node}`,
    formatBytes(c.bytes[k]!),
    f < run.n
      ? `allocated at ${at(k)}, freed at ${at(f)}`
      : `allocated at ${at(k)}, still live at the end`,
    f < run.n
      ? `lifetime ${plural(f - k, "event")}, ${ms(c.timeMs[f]! - c.timeMs[k]!)}`
      : `live for the last ${plural(run.n - k, "event")}`,
  ];
  if (step >= 0) {
    lines.push(
      `live here: ${formatBytes(run.live[step]!)} after event ${c.index[step]} (peak ${formatBytes(run.peakBytes)})`,
    );
  }
  const d = c.detail[k]!;
  if (d !== NO_DETAIL) {
    const frames = text(d).split("\n");
    lines.push(...frames.slice(0, DETAIL_LINES));
    if (frames.length > DETAIL_LINES) lines.push(`… ${frames.length - DETAIL_LINES} more frames`);
  }
  return lines.join("\n");
}

function ms(v: number): string {
  return `${v.toLocaleString("en-US", { maximumFractionDigits: v < 10 ? 3 : 1 })} ms`;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}
