import type { Graph, NodeOf } from "../../ir/graph.js";
import type { Op, OpAttrs } from "../../ir/op.js";
import type { Tensor } from "../tensor.js";

/** What running a subgraph gives back: its outputs, tracked until `release()`. */
export interface SubgraphResult {
  readonly outputs: readonly Tensor[];
  /** Releases the outputs' tracked buffers (after the caller has copied them). */
  release(): void;
}

/** Everything a CPU kernel sees: preallocated outputs and workspace, never the allocator itself. */
export interface KernelContext<O extends Op> {
  readonly node: NodeOf<O>;
  readonly attrs: OpAttrs[O];
  readonly inputs: readonly Tensor[];
  /**
   * Preallocated outputs, in the node's output order: zeroed, except for the ops whose kernels
   * write every element (`overwritesOutputs` in table.ts).
   */
  readonly outputs: readonly Tensor[];
  /**
   * Exactly the registry's workspaceBytes for the node, tracked by the executor; bytes in the
   * wasm heap, so the wasm kernels use what a kernel puts there in place. Not cleared: a kernel
   * writes every scratch byte it reads.
   */
  readonly workspace: Uint8Array;
  /** Runs a subgraph (a chunk loop body) with the same allocator and abort signal. */
  readonly run: (graph: Graph, inputs: readonly Tensor[]) => Promise<SubgraphResult>;
}

/** A CPU kernel: fills `ctx.outputs` from `ctx.inputs`. */
export type Kernel<O extends Op> = (ctx: KernelContext<O>) => void | Promise<void>;
