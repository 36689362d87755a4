import type { LiveChannel, LiveState } from "./types.js";

const MESSAGES: Record<LiveState, string> = {
  connecting: "Connecting to the kernel…",
  live: "",
  busy: "Waiting for the kernel: a cell is running.",
  offline: "Live controls need the kernel: run the cell again to use them.",
};

/**
 * A one-line note that tells the user what the live controls can do now; it hides itself
 * while the channel is live. Without a channel it says the controls need the kernel.
 * Returns the element and a function that stops listening.
 *
 * @example
 * const { element, dispose } = liveStatus(options.live);
 * toolbar.append(element);
 */
export function liveStatus(channel: LiveChannel | undefined): {
  element: HTMLElement;
  dispose: () => void;
} {
  const element = document.createElement("div");
  element.className = "tessera-live-status";
  element.setAttribute("role", "status");
  const show = (state: LiveState): void => {
    const reason = state === "offline" && channel?.reason ? ` (${channel.reason})` : "";
    element.textContent = MESSAGES[state] + reason;
    element.dataset.state = state;
    element.hidden = state === "live";
  };
  show(channel?.state ?? "offline");
  const dispose = channel?.onState(show) ?? (() => {});
  return { element, dispose };
}
