import type { Validation } from "../common/problems.js";
import { errorBox } from "./error-box.js";
import type { Renderer, WidgetHandle, WidgetOptions } from "./types.js";

/** One widget the hosts know: its MIME type, validator and renderer. */
export interface WidgetSpec<P> {
  mimeType: string;
  /** A short name for messages ("memory timeline"). */
  name: string;
  validate(data: unknown): Validation<P>;
  render: Renderer<P>;
  /** Whether the payload names a kernel-side widget to connect to (its `live` field). */
  liveId?(payload: P): string | undefined;
}

/**
 * Validates `data` and renders it with `spec`, or shows the error box naming the fields
 * that are wrong; a renderer that throws shows its error the same way. Never leaves the
 * element blank and never throws. `update` validates again.
 *
 * `options` may be derived from the validated payload (a host connects the kernel object a
 * payload names), so the payload is validated once; when an update's options bring another
 * live channel, the widget is drawn afresh with it.
 *
 * @example
 * const handle = mountWidget(div, memoryTimelineWidget, payload);
 * handle.update(nextPayload);
 */
export function mountWidget<P>(
  element: HTMLElement,
  spec: WidgetSpec<P>,
  data: unknown,
  options: WidgetOptions | ((payload: P) => WidgetOptions) = {},
): WidgetHandle<unknown> {
  let inner: WidgetHandle<P> | undefined;
  let current: WidgetOptions = {};
  const fail = (problems: readonly string[]): void => {
    inner?.dispose();
    inner = undefined;
    element.replaceChildren(errorBox(spec.mimeType, problems));
  };
  const show = (next: unknown): void => {
    const checked = spec.validate(next);
    if (!checked.ok) return fail(checked.errors);
    try {
      const next = typeof options === "function" ? options(checked.value) : options;
      if (inner && next.live !== current.live) {
        inner.dispose();
        inner = undefined;
      }
      current = next;
      if (inner) inner.update(checked.value);
      else {
        element.replaceChildren();
        inner = spec.render(element, checked.value, next);
      }
    } catch (error) {
      fail([`the ${spec.name} could not be drawn: ${(error as Error).message ?? String(error)}`]);
    }
  };
  show(data);
  return {
    update: show,
    redraw: () => inner?.redraw(),
    dispose: () => {
      inner?.dispose();
      inner = undefined;
      element.replaceChildren();
    },
  };
}
