/// <reference types="@webgpu/types" />
import type { WebGpuBackend } from "../../../device/backend.js";
import type { TrackedBuffer } from "../../../device/webgpu/buffers.js";
import {
  createBuffer,
  destroyBuffer,
  readBuffer,
  uploadBuffer,
} from "../../../device/webgpu/buffers.js";
import { BufferUsage } from "../../../device/webgpu/usage.js";
import { MemoryTracker } from "../../../memory/tracker.js";
import type { TensorType } from "../../ir/dtype.js";
import { tensorBytes, typedArray } from "../../ir/dtype.js";
import type { Node } from "../../ir/graph.js";
import type { ParamInit } from "../../ir/param-init.js";
import { materializeParam } from "../../ir/param-init.js";
import { numel } from "../../ir/shape.js";
import type { Tensor } from "../tensor.js";
import { CommandBatch } from "./batch.js";
import type { GpuTensor } from "./tensor.js";

// Submit once this many commands are recorded, or this long after the last submit; one batch
// stays in flight while the next is recorded.
const BATCH_COMMANDS = 64;
const BATCH_MS = 20;

const TENSOR_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

/** The device state of one run: its command batch, uploads and device-side checks. */
export interface Runtime {
  readonly backend: WebGpuBackend;
  /**
   * The backend with the run's device ledger as its tracker: every device buffer the run
   * creates (inputs, parameters, activations, workspaces, uniform blocks, the status buffer)
   * is recorded there from creation until it is destroyed, apart from the walk's storage plan.
   */
  readonly device: WebGpuBackend;
  readonly batch: CommandBatch;
  /**
   * Released buffers not yet destroyed: commands recorded before the release may still read
   * them, so they live until the submit; a later allocation of the same size reuses one.
   */
  readonly retired: TrackedBuffer[];
  /** Uploaded inputs and parameters (one upload per parameter init per run). */
  readonly uploads: TrackedBuffer[];
  readonly params: Map<ParamInit, TrackedBuffer>;
  /** Device-side checks: the status buffer and, per tag − 1, the message of a failure. */
  status: TrackedBuffer | null;
  readonly checks: ((value: number, position: number) => string)[];
  readonly checkTags: Map<Node, number>;
  inFlight: Promise<void> | null;
  lastSubmit: number;
}

/** A runtime with a fresh device ledger. */
export function openRuntime(backend: WebGpuBackend): Runtime {
  const device = { ...backend, memory: new MemoryTracker() };
  return {
    backend,
    device,
    batch: new CommandBatch(device, "autochunk"),
    retired: [],
    uploads: [],
    params: new Map(),
    status: null,
    checks: [],
    checkTags: new Map(),
    inFlight: null,
    lastSubmit: performance.now(),
  };
}

/** Drops unsubmitted work and destroys the run's uploads and status buffer. */
export function closeRuntime(rt: Runtime): void {
  rt.batch.discard();
  destroyRetired(rt);
  for (const b of rt.uploads) destroyBuffer(rt.device, b);
  if (rt.status !== null) destroyBuffer(rt.device, rt.status);
}

/** Destroys the released buffers (WebGPU keeps them until submitted work reading them ends). */
function destroyRetired(rt: Runtime): void {
  for (const b of rt.retired) destroyBuffer(rt.device, b);
  rt.retired.length = 0;
}

/** Uploads a graph input (or parameter values) for `node`; freed by closeRuntime. */
export function upload(rt: Runtime, t: Tensor, node: Node, op: string): GpuTensor {
  const buffer = uploadBuffer(rt.device, t.data, node.name, op, TENSOR_USAGE);
  rt.uploads.push(buffer);
  return { buffer, offset: 0, shape: node.shape, dtype: node.dtype };
}

/** The device copy of a parameter, uploaded once per init per run. */
export function param(rt: Runtime, node: Extract<Node, { op: "param" }>): GpuTensor {
  const { init } = node.attrs;
  let buffer = rt.params.get(init);
  if (buffer === undefined) {
    const data = materializeParam(init, node.shape, node.dtype);
    buffer = upload(rt, { data, shape: node.shape, dtype: node.dtype }, node, "param").buffer;
    rt.params.set(init, buffer);
  }
  return { buffer, offset: 0, shape: node.shape, dtype: node.dtype };
}

/** Reads `t` back to the host. */
export async function download(backend: WebGpuBackend, t: GpuTensor): Promise<Tensor> {
  const count = numel(t.shape);
  const bytes = await readBuffer(backend, t.buffer, count * 4, t.offset * 4);
  return { data: typedArray(t.dtype, count, bytes), shape: t.shape, dtype: t.dtype };
}

/** Submits what is recorded and waits for the batch before it. */
export async function flush(rt: Runtime): Promise<void> {
  const done = rt.batch.submit();
  destroyRetired(rt);
  // Awaited below or by the next flush; an abort may leave it unawaited.
  done.catch(() => undefined);
  const previous = rt.inFlight;
  rt.inFlight = done;
  rt.lastSubmit = performance.now();
  if (previous !== null) await previous;
}

/** Between nodes: submits once the batch is big or old enough. */
export async function checkpoint(rt: Runtime): Promise<void> {
  if (rt.batch.size >= BATCH_COMMANDS || performance.now() - rt.lastSubmit >= BATCH_MS) {
    await flush(rt);
  }
}

/** Throws the RangeError of the first failed device-side check, if any. */
export async function raiseFailedChecks(rt: Runtime): Promise<void> {
  if (rt.status === null) return;
  const [claimed, tag, value, position] = new Uint32Array(await readBuffer(rt.backend, rt.status));
  if (claimed! > 0) throw new RangeError(rt.checks[tag! - 1]!(value! | 0, position!));
}

/**
 * The status buffer and the tag of `node`'s device-side check; a failure reads as
 * `message(value, position)`.
 */
export function checkFor(
  rt: Runtime,
  node: Node,
  message: (value: number, position: number) => string,
): { status: GpuTensor; tag: number } {
  rt.status ??= createBuffer(rt.device, 16, TENSOR_USAGE, "autochunk checks", "check");
  let tag = rt.checkTags.get(node);
  if (tag === undefined) {
    rt.checks.push(message);
    tag = rt.checks.length;
    rt.checkTags.set(node, tag);
  }
  return { status: { buffer: rt.status, offset: 0, shape: [4], dtype: "i32" }, tag };
}

/**
 * A device buffer for a tensor of `type` (an activation or a workspace part; contents
 * undefined): a buffer of the same size released since the last submit when there is one
 * (commands run in recording order, so its earlier readers are done with it), else a new one.
 * Reuse keeps a chunk loop's iterations from holding a buffer set each until the submit.
 */
export function allocate(rt: Runtime, type: TensorType, label: string, op: string): GpuTensor {
  const bytes = tensorBytes(type);
  const reused = rt.retired.findIndex((b) => b.bytes === bytes);
  const buffer =
    reused >= 0
      ? rt.retired.splice(reused, 1)[0]!
      : createBuffer(rt.device, bytes, TENSOR_USAGE, label, op);
  return { buffer, offset: 0, shape: type.shape, dtype: type.dtype };
}

/** Releases a buffer from `allocate`: reused or destroyed, not before the next submit. */
export function free(rt: Runtime, buffer: TrackedBuffer): void {
  rt.retired.push(buffer);
}
