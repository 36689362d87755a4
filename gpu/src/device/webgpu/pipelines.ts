/// <reference types="@webgpu/types" />
import type { WebGpuBackend } from "../backend.js";
import { assertAlive } from "./device.js";
import type { TrackedBuffer } from "./buffers.js";

/**
 * Compute pipelines cached per device under a specialization key, so a kernel compiles once
 * per device and shape class; a WeakMap keyed by the device lets a lost or destroyed device
 * take its pipelines with it (webgpu-utils' lesson).
 */
const cache = new WeakMap<GPUDevice, Map<string, Promise<GPUComputePipeline>>>();

/** What a pipeline is built from: WGSL source and its entry point, under a unique key. */
export interface KernelSource {
  /** Unique per distinct WGSL text, e.g. "cagra/distance-tile:f32:wg64". */
  readonly key: string;
  readonly code: string;
  readonly entryPoint?: string;
}

/**
 * The compute pipeline for `source` on `backend`'s device, compiled on first use. WGSL
 * errors become an Error that names the kernel and quotes the compiler's messages.
 *
 * @example
 * const pipeline = await pipelineFor(gpu, { key: "fill:u32", code: FILL_WGSL });
 */
export function pipelineFor(
  backend: WebGpuBackend,
  source: KernelSource,
): Promise<GPUComputePipeline> {
  assertAlive(backend);
  const perDevice = cache.get(backend.device) ?? new Map<string, Promise<GPUComputePipeline>>();
  cache.set(backend.device, perDevice);
  let pipeline = perDevice.get(source.key);
  if (!pipeline) {
    pipeline = compile(backend.device, source);
    perDevice.set(source.key, pipeline);
    // A failed compile is not cached: the next call reports the error again.
    pipeline.catch(() => perDevice.delete(source.key));
  }
  return pipeline;
}

async function compile(device: GPUDevice, source: KernelSource): Promise<GPUComputePipeline> {
  const module = device.createShaderModule({ code: source.code, label: source.key });
  const info = await module.getCompilationInfo();
  const errors = info.messages.filter((m) => m.type === "error");
  if (errors.length > 0) {
    const text = errors.map((m) => `  line ${m.lineNum}:${m.linePos} ${m.message}`).join("\n");
    throw new Error(`WGSL kernel "${source.key}" does not compile:\n${text}`);
  }
  device.pushErrorScope("validation");
  const pipeline = await device.createComputePipelineAsync({
    label: source.key,
    layout: "auto",
    compute: { module, entryPoint: source.entryPoint ?? "main" },
  });
  const error = await device.popErrorScope();
  if (error) throw new Error(`WGSL kernel "${source.key}": ${error.message}`);
  return pipeline;
}

/** One dispatch: a pipeline, its buffers at bindings 0, 1, … of group 0, and the grid. */
export interface Dispatch {
  readonly pipeline: GPUComputePipeline;
  readonly buffers: readonly (TrackedBuffer | GPUBuffer)[];
  readonly workgroups: readonly [number, number?, number?];
  readonly label?: string;
}

/**
 * Encodes `dispatches` in order into one command buffer and submits it (one submit per call
 * keeps the per-dispatch overhead low). Grids beyond the device limit are a clear error.
 */
export function submit(
  backend: WebGpuBackend,
  dispatches: readonly Dispatch[],
  label = "tessera",
): void {
  assertAlive(backend);
  const max = backend.limits.maxComputeWorkgroupsPerDimension;
  const encoder = backend.device.createCommandEncoder({ label });
  for (const d of dispatches) {
    const [x, y = 1, z = 1] = d.workgroups;
    if (x > max || y > max || z > max) {
      throw new RangeError(
        `Dispatch "${d.label ?? label}" asks for ${x}×${y}×${z} workgroups; this device allows ` +
          `${max} per dimension. Split the work into smaller batches.`,
      );
    }
    if (x === 0 || y === 0 || z === 0) continue;
    const group = backend.device.createBindGroup({
      label: d.label ?? label,
      layout: d.pipeline.getBindGroupLayout(0),
      entries: d.buffers.map((b, binding) => ({
        binding,
        resource: { buffer: "buffer" in b ? b.buffer : b },
      })),
    });
    const pass = encoder.beginComputePass({ label: d.label ?? label });
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, group);
    pass.dispatchWorkgroups(x, y, z);
    pass.end();
  }
  backend.device.queue.submit([encoder.finish()]);
}
