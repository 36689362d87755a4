import { markShown } from "../display/bundle.js";
import { display, type DisplayHandle } from "./display.js";

export interface ProgressOptions {
  /** Shown before the bar. */
  label?: string;
  /** Least time between two updates of the output, in ms (default 100). */
  intervalMs?: number;
}

/** A live progress bar, updated in place. */
export interface ProgressBar {
  readonly value: number;
  readonly total: number | undefined;
  /** Moves the bar forward by `n` (default 1). */
  advance(n?: number): void;
  /** Sets the bar to `value`. */
  set(value: number): void;
  /** Shows the final state; called by the iterable form when the loop ends. */
  done(): void;
}

/**
 * A progress bar for long work: `progress(total)` gives a bar to advance; `progress(items)`
 * wraps an iterable or async iterable and advances once per item.
 *
 * @example
 * for (const batch of progress(batches, { label: "search" })) run(batch);
 * const bar = progress(1000); bar.advance(10);
 */
export function progress(total: number, options?: ProgressOptions): ProgressBar;
export function progress<T>(
  items: Iterable<T>,
  options?: ProgressOptions,
): Iterable<T> & { bar: ProgressBar };
export function progress<T>(
  items: AsyncIterable<T>,
  options?: ProgressOptions,
): AsyncIterable<T> & { bar: ProgressBar };
export function progress<T>(
  source: number | Iterable<T> | AsyncIterable<T>,
  options: ProgressOptions = {},
): ProgressBar | ((Iterable<T> | AsyncIterable<T>) & { bar: ProgressBar }) {
  if (typeof source === "number") {
    if (!Number.isFinite(source) || source < 0) {
      throw new RangeError(`progress(total): total must be a finite number ≥ 0, got ${source}.`);
    }
    return markShown(createBar(source, options));
  }
  if (source === null || typeof source !== "object") {
    throw new TypeError("progress() takes a total (number) or an iterable such as an array.");
  }
  const bar = createBar(lengthOf(source), options);
  if (Symbol.asyncIterator in source) {
    const items = source as AsyncIterable<T>;
    return markShown({
      bar,
      async *[Symbol.asyncIterator]() {
        try {
          for await (const x of items) {
            yield x;
            bar.advance();
          }
        } finally {
          bar.done();
        }
      },
    });
  }
  if (!(Symbol.iterator in source)) {
    throw new TypeError("progress() takes a total (number) or an iterable such as an array.");
  }
  const items = source as Iterable<T>;
  return markShown({
    bar,
    *[Symbol.iterator]() {
      try {
        for (const x of items) {
          yield x;
          bar.advance();
        }
      } finally {
        bar.done();
      }
    },
  });
}

function lengthOf(x: object): number | undefined {
  const n = (x as { length?: unknown }).length ?? (x as { size?: unknown }).size;
  return typeof n === "number" ? n : undefined;
}

function createBar(
  total: number | undefined,
  { label = "", intervalMs = 100 }: ProgressOptions,
): ProgressBar {
  const start = Date.now();
  let value = 0;
  let shownAt = 0;
  let handle: DisplayHandle | undefined;
  const show = (force: boolean) => {
    const now = Date.now();
    if (!force && now - shownAt < intervalMs) return;
    shownAt = now;
    const bundle = renderProgress(label, value, total, (now - start) / 1000);
    if (handle) handle.update(bundle, { raw: true });
    else handle = display(bundle, { raw: true });
  };
  show(true);
  return {
    get value() {
      return value;
    },
    total,
    advance(n = 1) {
      value += n;
      show(total !== undefined && value >= total);
    },
    set(v) {
      value = v;
      show(total !== undefined && value >= total);
    },
    done() {
      show(true);
    },
  };
}

/** The bar as HTML (a native <progress>) and as text, so every front end shows it. */
export function renderProgress(
  label: string,
  value: number,
  total: number | undefined,
  elapsedS: number,
): { "text/html": string; "text/plain": string } {
  const fraction = total ? Math.min(1, value / total) : undefined;
  const pct = fraction === undefined ? "" : ` ${Math.floor(fraction * 100)}%`;
  const count = total === undefined ? `${value}` : `${value}/${total}`;
  const status = `${count}${pct} [${elapsedS.toFixed(1)}s]`;
  const width = 30;
  const filled = Math.round((fraction ?? 0) * width);
  const text = `${label ? label + " " : ""}${fraction === undefined ? "" : "|" + "█".repeat(filled) + " ".repeat(width - filled) + "| "}${status}`;
  const bar =
    total === undefined
      ? "<progress></progress>"
      : `<progress value="${value}" max="${total}"></progress>`;
  const html = `<div class="tessera-progress">${label ? `<span>${escapeHtml(label)}</span> ` : ""}${bar} <span>${status}</span></div>`;
  return { "text/html": html, "text/plain": text };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
