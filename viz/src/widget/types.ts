/**
 * The widget contract (docs/architecture.md): a widget is a framework-free renderer that
 * draws a validated payload into an element and can be updated or disposed. viz/ knows no
 * JupyterLab: the host (extension/, a test page, a benchmark) supplies the element, the
 * optional live channel to the kernel, and calls `redraw` when the theme changes.
 */

/** What a renderer returns: the drawn widget, to update in place or take down. */
export interface WidgetHandle<P> {
  /** Shows a new payload of the same type in place (keeps zoom and selection where it can). */
  update(payload: P): void;
  /** Redraws with the current theme colours (the host calls it when the theme changes). */
  redraw(): void;
  /** Removes listeners, observers, timers and GL contexts; the element is left empty. */
  dispose(): void;
}

/** The state of the link to the kernel, as a widget shows it. */
export type LiveState =
  /** Opening the comm. */
  | "connecting"
  /** Requests are answered. */
  | "live"
  /** The kernel is running a cell: requests wait until it is done. */
  | "busy"
  /** No kernel, or the kernel no longer knows this widget (restarted, notebook reopened). */
  | "offline";

/** A reply from the kernel side of a widget. */
export interface LiveReply {
  data: Record<string, unknown>;
  buffers: DataView[];
}

/**
 * The front end's half of a live widget: requests to the kernel object the payload names
 * (`live.id`), over a comm on target `tessera`. Hosts implement it; renderers only use it.
 */
export interface LiveChannel {
  readonly state: LiveState;
  /** Why the channel is offline, in words for the user (e.g. "the kernel was restarted"). */
  readonly reason: string;
  /**
   * Sends `method` with `params` (and binary `buffers`) to the kernel; resolves with the
   * reply, rejects with an Error whose message is the kernel's (or the channel's) reason.
   */
  request(
    method: string,
    params?: Record<string, unknown>,
    buffers?: readonly ArrayBufferView[],
  ): Promise<LiveReply>;
  /** Calls `listener` on every state change (and new `reason`); returns the unsubscribe function. */
  onState(listener: (state: LiveState) => void): () => void;
}

/** Options every renderer takes. */
export interface WidgetOptions {
  /** The kernel link, when the payload names one and the host can reach a kernel. */
  live?: LiveChannel;
}

/** A renderer: draws `payload` (already validated) into `element`. */
export type Renderer<P> = (
  element: HTMLElement,
  payload: P,
  options?: WidgetOptions,
) => WidgetHandle<P>;
