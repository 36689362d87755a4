import type { TensorType } from "../ir/dtype.js";
import { tensorBytes, typedArray } from "../ir/dtype.js";
import type { MemoryTracker } from "../../memory/tracker.js";
import { numel } from "../ir/shape.js";
import type { Tensor } from "./tensor.js";

/** A tracked buffer: what was handed out and the tracker allocation to free. */
export interface Tracked<T> {
  readonly value: T;
  readonly allocation: number;
}

/**
 * Hands out typed arrays and records each allocation and release in a MemoryTracker, labelled
 * with the node's name and op, so measured peaks and timelines come from real events.
 *
 * @example
 * const alloc = new TensorAllocator(new MemoryTracker());
 * const t = alloc.tensor({ shape: [2, 3], dtype: "f32" }, "h0.fc", "linear");
 * alloc.free(t.allocation);
 */
export class TensorAllocator {
  readonly memory: MemoryTracker;

  constructor(memory: MemoryTracker) {
    this.memory = memory;
  }

  /** A zeroed tensor of `type`. */
  tensor(type: TensorType, label: string, op: string): Tracked<Tensor> {
    const allocation = this.memory.alloc(tensorBytes(type), label, op);
    const data = typedArray(type.dtype, numel(type.shape));
    return { value: { data, shape: type.shape, dtype: type.dtype }, allocation };
  }

  /** A zeroed scratch buffer of `bytes`. */
  bytes(bytes: number, label: string, op: string): Tracked<ArrayBuffer> {
    const allocation = this.memory.alloc(bytes, label, op);
    return { value: new ArrayBuffer(bytes), allocation };
  }

  /** Releases an allocation made here. */
  free(allocation: number): void {
    this.memory.free(allocation);
  }
}
