/// <reference types="@webgpu/types" />
import type { WebGpuBackend } from "../../../device/backend.js";
import type { TrackedBuffer } from "../../../device/webgpu/buffers.js";
import { createBuffer, destroyBuffer, writeBuffer } from "../../../device/webgpu/buffers.js";
import { BufferUsage } from "../../../device/webgpu/usage.js";
import { PARAMS_SLOTS } from "./wgsl.js";

const PARAMS_BYTES = PARAMS_SLOTS * 4;

type Command =
  | {
      readonly kind: "dispatch";
      readonly pipeline: GPUComputePipeline;
      readonly buffers: readonly GPUBuffer[];
      readonly params: readonly number[];
      readonly workgroups: readonly [number, number, number];
      readonly label: string;
    }
  | {
      readonly kind: "copy";
      readonly src: GPUBuffer;
      readonly srcOffset: number;
      readonly dst: GPUBuffer;
      readonly dstOffset: number;
      readonly size: number;
    };

/**
 * Dispatches and buffer copies recorded as data and submitted together in one command buffer,
 * many graph nodes per submit. Each dispatch's uniform block (element offsets, extras) lands in
 * one tracked arena per submit, bound at its own aligned offset. (Buffers released while
 * recording live until the submit: runtime.ts keeps them, and reuses them.)
 *
 * Beyond device/webgpu's submit(): copies between dispatches, and bound ranges for the uniform
 * blocks.
 */
export class CommandBatch {
  readonly #backend: WebGpuBackend;
  readonly #label: string;
  #commands: Command[] = [];

  constructor(backend: WebGpuBackend, label: string) {
    this.#backend = backend;
    this.#label = label;
  }

  /** Commands recorded since the last submit. */
  get size(): number {
    return this.#commands.length;
  }

  /** Records a dispatch of `pipeline` over `buffers` (bindings 0, 1, …) with its uniform block. */
  dispatch(
    pipeline: GPUComputePipeline,
    buffers: readonly GPUBuffer[],
    params: readonly number[],
    workgroups: readonly [number, number?, number?],
    label: string,
  ): void {
    if (params.length > PARAMS_SLOTS) {
      throw new RangeError(
        `dispatch "${label}": at most ${PARAMS_SLOTS} params, got ${params.length}`,
      );
    }
    const [x, y = 1, z = 1] = workgroups;
    const max = this.#backend.limits.maxComputeWorkgroupsPerDimension;
    if (x > max || y > max || z > max) {
      throw new RangeError(
        `Dispatch "${label}" asks for ${x}×${y}×${z} workgroups; this device allows ${max} per ` +
          "dimension. Use smaller chunks or batches.",
      );
    }
    if (x === 0 || y === 0 || z === 0) return;
    this.#commands.push({
      kind: "dispatch",
      pipeline,
      buffers,
      params,
      workgroups: [x, y, z],
      label,
    });
  }

  /** Records a copy of `size` bytes (offsets and size multiples of 4). */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number): void {
    if (size > 0) this.#commands.push({ kind: "copy", src, srcOffset, dst, dstOffset, size });
  }

  /**
   * Submits what was recorded; the promise settles when the device has finished this work, and
   * rejects when WebGPU refused it (a validation error, reported asynchronously) or the device
   * is lost.
   */
  submit(): Promise<void> {
    const { device, lost } = this.#backend;
    const commands = this.#commands;
    this.#commands = [];
    let done: Promise<void> = Promise.resolve();
    if (commands.length > 0) {
      const arena = this.#paramsArena(commands);
      device.pushErrorScope("validation");
      let refused: Promise<GPUError | null>;
      try {
        device.queue.submit([this.#encode(commands, arena)]);
      } finally {
        refused = device.popErrorScope();
        if (arena !== null) destroyBuffer(this.#backend, arena.buffer);
      }
      const checked = refused.then((error) => {
        if (error !== null) throw new Error(`WebGPU refused "${this.#label}": ${error.message}`);
      });
      const finished = device.queue.onSubmittedWorkDone();
      done = Promise.race([Promise.all([checked, finished]).then(() => undefined), lost]);
    }
    return done;
  }

  /** Drops the commands not yet submitted (after an error or abort). */
  discard(): void {
    this.#commands = [];
  }

  #paramsArena(commands: readonly Command[]) {
    const dispatches = commands.filter((c) => c.kind === "dispatch") as Extract<
      Command,
      { kind: "dispatch" }
    >[];
    if (dispatches.length === 0) return null;
    const stride = Math.max(PARAMS_BYTES, this.#backend.limits.minUniformBufferOffsetAlignment);
    const words = new Uint32Array(((dispatches.length - 1) * stride + PARAMS_BYTES) / 4);
    dispatches.forEach((d, i) => words.set(d.params, (i * stride) / 4));
    const usage = BufferUsage.UNIFORM | BufferUsage.COPY_DST;
    const buffer = createBuffer(
      this.#backend,
      words.byteLength,
      usage,
      `${this.#label} params`,
      "params",
    );
    writeBuffer(this.#backend, buffer, words);
    return { buffer, stride };
  }

  #encode(
    commands: readonly Command[],
    arena: { buffer: TrackedBuffer; stride: number } | null,
  ): GPUCommandBuffer {
    const device = this.#backend.device;
    const encoder = device.createCommandEncoder({ label: this.#label });
    let pass: GPUComputePassEncoder | null = null;
    let block = 0;
    for (const c of commands) {
      if (c.kind === "copy") {
        pass?.end();
        pass = null;
        encoder.copyBufferToBuffer(c.src, c.srcOffset, c.dst, c.dstOffset, c.size);
        continue;
      }
      pass ??= encoder.beginComputePass({ label: this.#label });
      const entries: GPUBindGroupEntry[] = c.buffers.map((buffer, binding) => ({
        binding,
        resource: { buffer },
      }));
      entries.push({
        binding: c.buffers.length,
        resource: {
          buffer: arena!.buffer.buffer,
          offset: block++ * arena!.stride,
          size: PARAMS_BYTES,
        },
      });
      const group = device.createBindGroup({
        label: c.label,
        layout: c.pipeline.getBindGroupLayout(0),
        entries,
      });
      pass.setPipeline(c.pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(...c.workgroups);
    }
    pass?.end();
    return encoder.finish();
  }
}
