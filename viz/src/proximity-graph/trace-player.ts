/**
 * The search-trace controls: which traced query, a slider over its iterations, play/pause
 * and single steps. The explorer draws the chosen step; this only reports the choice.
 */
import type { TraceData } from "./decode.js";

export interface TracePlayer {
  readonly element: HTMLElement;
  dispose(): void;
}

/** Milliseconds per iteration while playing. */
const FRAME_MS = 400;

export function tracePlayer(
  traces: readonly TraceData[],
  onStep: (trace: number, step: number) => void,
): TracePlayer {
  const element = document.createElement("div");
  element.className = "tessera-proximity-graph-trace";
  const pick = document.createElement("select");
  pick.setAttribute("aria-label", "traced query");
  traces.forEach((t, i) => pick.append(new Option(t.label, String(i))));
  const back = button("◀", "previous iteration");
  const play = button("▶ play", "play the search");
  const next = button("▶|", "next iteration");
  const slider = document.createElement("input");
  slider.type = "range";
  slider.min = "0";
  slider.setAttribute("aria-label", "iteration");
  const text = document.createElement("span");
  text.className = "tessera-proximity-graph-step";
  element.append(pick, back, play, next, slider, text);

  let trace = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  // 0 shows the seeds, 1..n the iterations, n + 1 the results.
  const last = (): number => traces[trace]!.steps.length + 1;
  const show = (step: number): void => {
    const t = traces[trace]!;
    const s = Math.min(last(), Math.max(0, step));
    slider.max = String(last());
    slider.value = String(s);
    element.dataset.step = String(s);
    text.textContent = describe(t, s);
    onStep(trace, s);
  };
  const stop = (): void => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    play.textContent = "▶ play";
  };
  pick.addEventListener("change", () => {
    stop();
    trace = Number(pick.value);
    show(0);
  });
  slider.addEventListener("input", () => {
    stop();
    show(Number(slider.value));
  });
  back.addEventListener("click", () => (stop(), show(Number(slider.value) - 1)));
  next.addEventListener("click", () => (stop(), show(Number(slider.value) + 1)));
  play.addEventListener("click", () => {
    if (timer !== undefined) return stop();
    if (Number(slider.value) >= last()) show(0);
    play.textContent = "❚❚ pause";
    timer = setInterval(() => {
      const s = Number(slider.value) + 1;
      show(s);
      if (s >= last()) stop();
    }, FRAME_MS);
  });
  show(0);
  return { element, dispose: stop };
}

function button(label: string, title: string): HTMLButtonElement {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.title = title;
  b.setAttribute("aria-label", title);
  return b;
}

/** What step `s` shows, in words. */
function describe(t: TraceData, s: number): string {
  const n = t.steps.length;
  if (s === 0) return `seeds: ${t.seeds.length} random entry points`;
  if (s > n) {
    let hits = 0;
    for (const h of t.hits) hits += h;
    return `results: ${hits} of ${t.results.length} are exact neighbours (${n} iterations)`;
  }
  const step = t.steps[s - 1]!;
  return `iteration ${s} of ${n}: ${step.parents.length} parent${step.parents.length === 1 ? "" : "s"} expanded, ${step.candidates.length} new candidates, top list of ${step.top.length}`;
}
