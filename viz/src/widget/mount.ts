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
 * @example
 * const handle = mountWidget(div, memoryTimelineWidget, payload);
 * handle.update(nextPayload);
 */
export function mountWidget<P>(
  element: HTMLElement,
  spec: WidgetSpec<P>,
  data: unknown,
  options: WidgetOptions = {},
): WidgetHandle<unknown> {
  let inner: WidgetHandle<P> | undefined;
  const fail = (problems: readonly string[]): void => {
    inner?.dispose();
    inner = undefined;
    element.replaceChildren(errorBox(spec.mimeType, problems));
  };
  const show = (next: unknown): void => {
    const checked = spec.validate(next);
    if (!checked.ok) return fail(checked.errors);
    try {
      if (inner) inner.update(checked.value);
      else {
        element.replaceChildren();
        inner = spec.render(element, checked.value, options);
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
