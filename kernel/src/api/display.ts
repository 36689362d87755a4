import { randomUUID } from "node:crypto";
import { markShown, toBundle } from "../display/bundle.js";
import { services } from "./context.js";

export interface DisplayOptions {
  /** Display id: later `display(x, { id, update: true })` or `handle.update(x)` replace this output. */
  id?: string;
  /** `value` is already a MIME bundle (`{ "text/html": "…" }`). */
  raw?: boolean;
  /** Per-MIME-type metadata, e.g. `{ "image/png": { width: 200 } }`. */
  metadata?: Record<string, unknown>;
  /** Replace the output shown under `id` instead of adding one. */
  update?: boolean;
}

/** An output that can be replaced in place. */
export interface DisplayHandle {
  readonly id: string;
  /** Replaces the output with `value` (same options as `display`). */
  update(value: unknown, options?: Omit<DisplayOptions, "id" | "update">): void;
}

/**
 * Shows `value` as a rich output: its `[Symbol.for("Jupyter.display")]()` bundle if it has
 * one, else its plain text.
 *
 * @example
 * const h = display({ "text/html": "<b>working…</b>", "text/plain": "working…" }, { raw: true });
 * h.update({ "text/html": "<b>done</b>", "text/plain": "done" }, { raw: true });
 */
export function display(value: unknown, options: DisplayOptions = {}): DisplayHandle {
  const { outputs } = services("display()");
  const id = options.id ?? randomUUID();
  outputs.inOrder(
    toBundle(value, options.raw),
    (content) =>
      outputs.display(
        { ...content, metadata: { ...content.metadata, ...options.metadata } },
        id,
        options.update ?? false,
      ),
    (e: unknown) => outputs.stream("stderr", `display(): ${(e as Error).message ?? e}\n`),
  );
  return markShown({
    id,
    update: (v, o = {}) => void display(v, { ...o, id, update: true }),
  });
}

/** Clears the cell's output; with `wait`, only when the next output arrives (no flicker). */
export function clearOutput(wait = false): void {
  services("clearOutput()").outputs.clear(wait);
}
