/// <reference types="@webgpu/types" />
import type { MemoryTracker } from "../memory/tracker.js";

/** Where Tessera's kernels run. */
export type BackendKind = "webgpu" | "cpu";

/** The optional WebGPU features Tessera uses when the adapter has them. */
export interface GpuFeatures {
  /** `subgroups`: subgroup shuffles and reductions in WGSL. */
  readonly subgroups: boolean;
  /** `shader-f16`: f16 storage and arithmetic in WGSL. */
  readonly shaderF16: boolean;
  /** `timestamp-query`: GPU-side timings of passes. */
  readonly timestampQuery: boolean;
}

/** The plain-TypeScript backend: typed arrays, and worker threads where they pay. */
export interface CpuBackend {
  readonly kind: "cpu";
  /** Threads the CPU kernels may use (1 = the calling thread only). */
  readonly threads: number;
  readonly memory: MemoryTracker;
}

/** A WebGPU device (Dawn in Node, `navigator.gpu` in a browser) with its capabilities. */
export interface WebGpuBackend {
  readonly kind: "webgpu";
  readonly device: GPUDevice;
  /** Vendor, architecture and description of the adapter, for reports. */
  readonly adapter: {
    readonly vendor: string;
    readonly architecture: string;
    readonly description: string;
  };
  readonly features: GpuFeatures;
  readonly limits: GPUSupportedLimits;
  readonly memory: MemoryTracker;
  /** Rejects with a DeviceLostError once the device is lost; never resolves otherwise. */
  readonly lost: Promise<never>;
  /** Whether the device has been lost; every later dispatch fails with a clear error. */
  isLost(): boolean;
}

export type Backend = CpuBackend | WebGpuBackend;

/** Thrown by any GPU operation after the device was lost (driver reset, destroy, OOM). */
export class DeviceLostError extends Error {
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(
      `The WebGPU device was lost (${reason}${message ? `: ${message}` : ""}). ` +
        "Results computed before the loss are kept; create a new backend, or use the CPU backend.",
    );
    this.name = "DeviceLostError";
  }
}
