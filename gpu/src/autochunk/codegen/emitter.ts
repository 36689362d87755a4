import type { DType } from "../ir/dtype.js";
import type { Graph, Node } from "../ir/graph.js";
import type { Op, OpAttrs } from "../ir/op.js";
import type { Shape } from "../ir/shape.js";

/**
 * Appends nodes to a graph being rewritten: ids are positions, names are made unique with a
 * `#k` suffix, and attribute objects are kept as given (a copied parameter keeps its `init`
 * object, hence its materialised values). Shapes are given by the caller, not inferred, so
 * candidate graphs are cheap to build; `validate()` re-infers them on the final program.
 *
 * @example
 * const emit = new GraphEmitter();
 * const x = emit.input("x", [4], "f32");
 * emit.output(emit.add("relu", [x], {}, "relu", [4], "f32"));
 * emit.build();
 */
export class GraphEmitter {
  readonly #nodes: Node[] = [];
  readonly #inputs: number[] = [];
  readonly #outputs: number[] = [];
  readonly #names = new Set<string>();

  /** A graph input (placeholder). */
  input(name: string, shape: Shape, dtype: DType): Node {
    const node = this.add("input", [], {}, name, shape, dtype);
    this.#inputs.push(node.id);
    return node;
  }

  /** A node of `op` reading `inputs`, with its output type given. */
  add<O extends Op>(
    op: O,
    inputs: readonly Node[],
    attrs: OpAttrs[O],
    name: string,
    shape: Shape,
    dtype: DType,
  ): Node {
    const node = Object.freeze({
      id: this.#nodes.length,
      op,
      inputs: inputs.map((x) => x.id),
      attrs,
      shape,
      dtype,
      name: this.#unique(name),
    }) as Node;
    this.#nodes.push(node);
    return node;
  }

  /**
   * `node` of another graph, reading `inputs` of this one, with the same op, attrs and type (a
   * copied input node is not registered as a graph input: the caller keeps the feeding order).
   */
  copy(node: Node, inputs: readonly Node[]): Node {
    return this.add(node.op, inputs, node.attrs, node.name, node.shape, node.dtype);
  }

  /** Marks values the graph returns, in order. */
  output(...values: readonly Node[]): void {
    for (const v of values) this.#outputs.push(v.id);
  }

  /** The graph; `inputs` overrides the input nodes registered by `input()` (feeding order). */
  build(inputs: readonly number[] = this.#inputs): Graph {
    return { nodes: [...this.#nodes], inputs: [...inputs], outputs: [...this.#outputs] };
  }

  #unique(name: string): string {
    let unique = name;
    for (let k = 1; this.#names.has(unique); k++) unique = `${name}#${k}`;
    this.#names.add(unique);
    return unique;
  }
}
