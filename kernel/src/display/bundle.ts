import { inspect } from "node:util";

/** MIME type → data: strings, or JSON for `+json` types. */
export type MimeBundle = Record<string, unknown>;

/** What a display message carries besides its transient id. */
export interface DisplayContent {
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

/**
 * The rich-display convention Deno's kernel uses: an object with this method displays
 * as the bundle it returns (sync or async).
 *
 * @example
 * const chart = { [JUPYTER_DISPLAY]: () => ({ "text/html": "<b>hi</b>", "text/plain": "hi" }) };
 */
export const JUPYTER_DISPLAY = Symbol.for("Jupyter.display");

export interface Displayable {
  [JUPYTER_DISPLAY](): MimeBundle | Promise<MimeBundle>;
}

const shown = new WeakSet<object>();

/**
 * Marks an object that stands for an output already shown (a display handle, a progress
 * bar): as a cell's last value it is not echoed, as IPython's display() returns None.
 */
export function markShown<T extends object>(x: T): T {
  shown.add(x);
  return x;
}

export function isShown(x: unknown): boolean {
  return typeof x === "object" && x !== null && shown.has(x);
}

function isDisplayable(value: unknown): value is Displayable {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as Partial<Displayable>)[JUPYTER_DISPLAY] === "function"
  );
}

/**
 * The bundle for a value: its own when it is displayable (or `raw`, i.e. already a bundle),
 * else its plain text. `text/plain` is always present, so every front end shows something.
 * Synchronous unless the value's display method is async, so outputs keep their order.
 */
export function toBundle(value: unknown, raw = false): DisplayContent | Promise<DisplayContent> {
  if (raw) return withText(checkBundle(value, "display(value, { raw: true })"));
  if (!isDisplayable(value)) {
    return {
      data: { "text/plain": inspect(value, { depth: 4, maxArrayLength: 100 }) },
      metadata: {},
    };
  }
  const source = '[Symbol.for("Jupyter.display")]()';
  const bundle = value[JUPYTER_DISPLAY]();
  return bundle instanceof Promise
    ? bundle.then((b) => withText(checkBundle(b, source)))
    : withText(checkBundle(bundle, source));
}

function withText(data: MimeBundle): DisplayContent {
  return {
    data:
      "text/plain" in data ? data : { ...data, "text/plain": `<${Object.keys(data).join(", ")}>` },
    metadata: {},
  };
}

function checkBundle(bundle: unknown, source: string): MimeBundle {
  if (typeof bundle !== "object" || bundle === null || Array.isArray(bundle)) {
    throw new TypeError(`${source} must give a MIME bundle object such as { "text/html": "…" }.`);
  }
  for (const [mime, data] of Object.entries(bundle)) {
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(mime)) {
      throw new TypeError(`${source} gave "${mime}", which is not a MIME type (e.g. "text/html").`);
    }
    if (typeof data !== "string" && !mime.endsWith("json")) {
      throw new TypeError(
        `${source}: "${mime}" data must be a string (only JSON MIME types take objects).`,
      );
    }
  }
  return bundle as MimeBundle;
}
