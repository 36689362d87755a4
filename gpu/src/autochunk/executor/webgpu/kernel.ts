import type { KernelSource } from "../../../device/webgpu/pipelines.js";
import type { Graph, NodeOf } from "../../ir/graph.js";
import type { Op, OpAttrs } from "../../ir/op.js";
import type { Shape } from "../../ir/shape.js";
import type { DType } from "../../ir/dtype.js";
import type { GpuTensor } from "./tensor.js";

/** What running a subgraph on the device gives back: its outputs, tracked until `release()`. */
export interface GpuSubgraphResult {
  readonly outputs: readonly GpuTensor[];
  /** Releases the outputs' tracked buffers (after the caller has recorded its copies of them). */
  release(): void;
}

/**
 * Everything a WebGPU kernel sees. Kernels record work (dispatches, copies) into the executor's
 * current command batch; they never allocate except through `scratch`.
 */
export interface GpuKernelContext<O extends Op> {
  readonly node: NodeOf<O>;
  readonly attrs: OpAttrs[O];
  readonly inputs: readonly GpuTensor[];
  /** Preallocated outputs, in the node's output order (contents undefined). */
  readonly outputs: readonly GpuTensor[];
  /** The device's limit on workgroups per grid dimension. */
  readonly maxWorkgroups: number;
  /**
   * Tracked scratch of `shape`, held until the kernel returns. A kernel's scratch adds up to
   * exactly the registry's workspaceBytes (the executor checks), so estimates stay exact; it is
   * split into parts where one dispatch would otherwise read and write the same buffer.
   */
  scratch(shape: Shape, dtype?: DType): GpuTensor;
  /**
   * Records a dispatch of `source` on `workgroups`, binding `tensors` at 0, 1, … (their element
   * offsets go into the uniform block, followed by `extras`).
   */
  dispatch(
    source: KernelSource,
    tensors: readonly GpuTensor[],
    workgroups: readonly [number, number?, number?],
    extras?: readonly number[],
  ): Promise<void>;
  /** Records a copy of `count` elements from `src` to `dst` (both from their offsets). */
  copy(src: GpuTensor, dst: GpuTensor, count: number): void;
  /**
   * A device-side check: the status tensor to bind (4 atomic u32s: claimed, tag, value, position)
   * and this node's tag. After the run, the first recorded failure becomes a RangeError whose
   * message is `describe(value, position)`.
   */
  check(describe: (value: number, position: number) => string): { status: GpuTensor; tag: number };
  /** Runs a subgraph (a chunk loop body) with the same allocator, batch and abort signal. */
  run(graph: Graph, inputs: readonly GpuTensor[]): Promise<GpuSubgraphResult>;
}

/** A WebGPU kernel: records the work that fills `ctx.outputs` from `ctx.inputs`. */
export type GpuKernel<O extends Op> = (ctx: GpuKernelContext<O>) => void | Promise<void>;

/** The part of a kernel context that records work, for helpers several kernels share. */
export type Recorder = Pick<GpuKernelContext<Op>, "dispatch" | "copy" | "maxWorkgroups">;
