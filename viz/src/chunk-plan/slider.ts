import type { LiveChannel } from "../widget/types.js";
import type { ChunkPlanPayload, ChunkPlanReply } from "./types.js";
import { validateChunkPlan } from "./validate.js";

/** Slider positions: 0…STEPS. */
const STEPS = 1000;

/** Maps slider positions to budgets, on a log scale from half the lowest peak to the peak. */
export interface BudgetScale {
  readonly low: number;
  readonly high: number;
  bytes(position: number): number;
  position(bytes: number): number;
}

/**
 * The slider's scale: logarithmic (budgets that matter span a decade or more), from half the
 * lowest reachable peak (so the user can see what "impossible" says) to the unchunked peak.
 *
 * @example
 * const s = budgetScale({ minimumBytes: 16 << 20, peakBytes: { before: 102 << 20, after: 27 << 20 }, budgetBytes: 30 << 20 });
 * s.bytes(1000); // 102 MiB
 */
export function budgetScale(plan: {
  minimumBytes: number | undefined;
  peakBytes: { before: number };
  budgetBytes: number;
}): BudgetScale {
  const high = Math.max(plan.peakBytes.before, plan.budgetBytes, 1);
  const low = Math.max(1, Math.min((plan.minimumBytes ?? high / 8) / 2, plan.budgetBytes));
  const span = Math.log(high / low) || 1;
  return {
    low,
    high,
    bytes: (p) => Math.round(low * Math.exp((Math.min(STEPS, Math.max(0, p)) / STEPS) * span)),
    position: (b) => Math.round((Math.log(Math.max(low, Math.min(high, b)) / low) / span) * STEPS),
  };
}

export interface PlanRequests {
  /** Asks for a plan at `budget`; sent once the slider rests for the debounce delay. */
  ask(budget: number): void;
  dispose(): void;
}

/**
 * Re-plans through the kernel as the slider moves: requests are debounced (`delayMs`), and only
 * the latest request's reply is shown (an older one arriving late is dropped).
 *
 * @example
 * const requests = requestPlans(live, { onPlan: show, onImpossible: warn, onError: warn });
 * slider.oninput = () => requests.ask(budgetOf(slider.value));
 */
export function requestPlans(
  live: LiveChannel,
  on: {
    onPlan(payload: ChunkPlanPayload): void;
    onImpossible(reply: Extract<ChunkPlanReply, { ok: false }>): void;
    onError(error: Error): void;
  },
  delayMs = 120,
): PlanRequests {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let latest = 0;
  let disposed = false;
  const send = async (budget: number, id: number) => {
    try {
      const { data } = await live.request("plan", { budget });
      if (disposed || id !== latest) return;
      const reply = data as unknown as ChunkPlanReply;
      if (reply.ok) {
        const checked = validateChunkPlan(reply.payload);
        if (!checked.ok) throw new Error(checked.errors.join("; "));
        on.onPlan(checked.value);
      } else on.onImpossible(reply);
    } catch (error) {
      if (!disposed && id === latest) on.onError(error as Error);
    }
  };
  return {
    ask(budget) {
      clearTimeout(timer);
      const id = ++latest;
      timer = setTimeout(() => void send(budget, id), delayMs);
    },
    dispose() {
      disposed = true;
      clearTimeout(timer);
    },
  };
}
