/**
 * A peak counted without the storage plan: the high-water mark of what a backend itself says it
 * holds (Node's `process.memoryUsage().arrayBuffers` on the CPU, the live device buffers on
 * WebGPU), above what it held when the run started. It differs from the tracked peak by what the
 * tracker leaves out or cannot see: inputs and parameters made during the run, buffers freed by
 * the plan but not yet garbage-collected (or destroyed), rounding, and memory freed by a garbage
 * collection during the run (which can make it smaller). docs/autochunk.md discusses the gap.
 */
export interface ResidentPeak {
  /** What was sampled. */
  readonly source: string;
  /** Highest sample minus the sample taken when the run started. */
  readonly peakBytes: number;
  /** `peakBytes` minus the tracked activation peak of the same run (negative: below it). */
  readonly overTrackedBytes: number;
  /** Samples taken (one per kernel, with its outputs and workspace allocated, plus the timer's). */
  readonly samples: number;
}

/** What the walk needs from a backend to measure a resident peak. */
export interface ResidentGauge {
  readonly source: string;
  /** Bytes held now by the backend's own count. */
  read(): number;
}

// The timer catches what happens while kernels run off the main thread (workers, the device).
const SAMPLE_EVERY_MS = 1;

/** Samples `gauge` on demand and on a timer until stopped. */
export class ResidentSampler {
  readonly #gauge: ResidentGauge;
  readonly #start: number;
  readonly #timer: ReturnType<typeof setInterval>;
  #high: number;
  #samples = 1;

  constructor(gauge: ResidentGauge) {
    this.#gauge = gauge;
    this.#start = gauge.read();
    this.#high = this.#start;
    this.#timer = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
    // In Node, the sampling timer must not keep the process alive.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  sample(): void {
    this.#high = Math.max(this.#high, this.#gauge.read());
    this.#samples++;
  }

  /** Stops the timer and compares the high-water mark with the tracked peak. */
  stop(trackedPeakBytes: number): ResidentPeak {
    clearInterval(this.#timer);
    this.sample();
    const peakBytes = this.#high - this.#start;
    return {
      source: this.#gauge.source,
      peakBytes,
      overTrackedBytes: peakBytes - trackedPeakBytes,
      samples: this.#samples,
    };
  }
}
