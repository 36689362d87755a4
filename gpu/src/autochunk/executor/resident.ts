/**
 * A peak counted without the storage plan: the largest rise of what a backend itself says it
 * holds (Node's `process.memoryUsage().arrayBuffers` on the CPU, the run's device buffers on
 * WebGPU) over the run, from the lowest sample before it. It differs from the tracked peak by
 * what the tracker leaves out or cannot see: inputs and parameters made during the run, arrays
 * released by the plan but not yet garbage-collected (or buffers not yet destroyed), rounding;
 * and it can fall below it when a garbage collection frees older arrays while activations are
 * live. docs/autochunk-executors.md discusses the gap.
 */
export interface ResidentPeak {
  /** What was sampled. */
  readonly source: string;
  /** The largest rise: a sample minus the lowest sample before it (the first at the start). */
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
const SAMPLE_EVERY_MS = 5;

/** Samples `gauge` on demand and on a timer until stopped. */
export class ResidentSampler {
  readonly #gauge: ResidentGauge;
  readonly #timer: ReturnType<typeof setInterval>;
  // A garbage collection during the run can free arrays made before it: rises count from the
  // lowest sample so far, not from the first.
  #low: number;
  #rise = 0;
  #samples = 1;

  constructor(gauge: ResidentGauge) {
    this.#gauge = gauge;
    this.#low = gauge.read();
    this.#timer = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
    // In Node, the sampling timer must not keep the process alive.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  sample(): void {
    const bytes = this.#gauge.read();
    this.#low = Math.min(this.#low, bytes);
    this.#rise = Math.max(this.#rise, bytes - this.#low);
    this.#samples++;
  }

  /** Stops the timer and compares the high-water mark with the tracked peak. */
  stop(trackedPeakBytes: number): ResidentPeak {
    clearInterval(this.#timer);
    this.sample();
    const peakBytes = this.#rise;
    return {
      source: this.#gauge.source,
      peakBytes,
      overTrackedBytes: peakBytes - trackedPeakBytes,
      samples: this.#samples,
    };
  }
}
