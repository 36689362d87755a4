import type { TensorType } from "../ir/dtype.js";
import { tensorBytes } from "../ir/dtype.js";
import type { Graph, Node } from "../ir/graph.js";
import { loopOutputTypes, nodeOutputs } from "../ir/graph.js";
import type { ChunkLoopAttrs, ControlOp } from "../ir/op.js";
import { formatShape, isContiguousSlice, sameShape } from "../ir/shape.js";
import type { Rules } from "./rule.js";
import { expectInt, shapeError } from "./rule.js";

/**
 * The shape of chunk input `t` in one iteration of `size` indices along `dim` (null: whole).
 *
 * @example
 * chunkShape([1, 1024, 768], 1, 128); // [1, 128, 768]
 */
export function chunkShape(shape: readonly number[], dim: number | null, size: number): number[] {
  const out = [...shape];
  if (dim !== null) out[dim] = size;
  return out;
}

/**
 * Bytes of the input slices a chunk loop copies per iteration: a slice along `dim` is a view
 * when every dim before it has extent 1 (isContiguousSlice), a copy otherwise.
 *
 * @example
 * loopSliceBytes(attrs, [{ shape: [2, 1024, 64], dtype: "f32" }]); // 2·chunkSize·64·4
 */
export function loopSliceBytes(attrs: ChunkLoopAttrs, inputs: readonly TensorType[]): number {
  let bytes = 0;
  inputs.forEach((t, j) => {
    const dim = attrs.inputDims[j];
    if (dim === null || dim === undefined || isContiguousSlice(t.shape, dim)) return;
    bytes += tensorBytes({ shape: chunkShape(t.shape, dim, attrs.chunkSize), dtype: t.dtype });
  });
  return bytes;
}

function checkBody(
  body: Graph,
  what: string,
  size: number,
  attrs: ChunkLoopAttrs,
  inputs: readonly Node[],
): void {
  if (body.inputs.length !== inputs.length) {
    shapeError(`the ${what} takes ${body.inputs.length} inputs, the loop passes ${inputs.length}`);
  }
  inputs.forEach((t, j) => {
    const want = chunkShape(t.shape, attrs.inputDims[j]!, size);
    const got = body.nodes[body.inputs[j]!]!;
    if (!sameShape(got.shape, want) || got.dtype !== t.dtype) {
      shapeError(
        `${what} input ${j} is ${got.dtype}${formatShape(got.shape)}, the loop passes ` +
          `${t.dtype}${formatShape(want)}`,
      );
    }
  });
  if (body.outputs.length !== attrs.outputDims.length) {
    shapeError(
      `the ${what} returns ${body.outputs.length} values but outputDims has ${attrs.outputDims.length}`,
    );
  }
  body.outputs.forEach((id, k) => {
    const out = body.nodes[id]!;
    const dim = attrs.outputDims[k]!;
    expectInt(dim, `outputDims[${k}]`, 0, out.shape.length - 1);
    if (out.shape[dim] !== size) {
      shapeError(
        `${what} output ${k} ${formatShape(out.shape)} has extent ${out.shape[dim]} along its chunk ` +
          `dim ${dim}, expected ${size}`,
      );
    }
  });
}

function inferLoop(attrs: ChunkLoopAttrs, inputs: readonly Node[]): TensorType[] {
  const { length, chunkSize, inputDims } = attrs;
  expectInt(length, "length", 1);
  expectInt(chunkSize, "chunkSize", 1, length);
  if (inputDims.length !== inputs.length) {
    shapeError(`inputDims has ${inputDims.length} entries for ${inputs.length} inputs`);
  }
  inputs.forEach((t, j) => {
    const dim = inputDims[j]!;
    if (dim === null) return;
    expectInt(dim, `inputDims[${j}]`, 0, t.shape.length - 1);
    if (t.shape[dim] !== length) {
      shapeError(
        `input ${j} ${formatShape(t.shape)} has extent ${t.shape[dim]} along chunk dim ${dim}, ` +
          `the loop's length is ${length}`,
      );
    }
  });
  if (!inputDims.some((d) => d !== null))
    shapeError("a chunk loop needs at least one chunked input");
  const rest = length % chunkSize;
  if ((rest === 0) !== (attrs.tail === null)) {
    shapeError(
      rest === 0
        ? `chunkSize ${chunkSize} divides length ${length}, so tail must be null`
        : `chunkSize ${chunkSize} leaves a last chunk of ${rest}; give a tail body for it`,
    );
  }
  checkBody(attrs.body, "body", chunkSize, attrs, inputs);
  if (attrs.tail !== null) {
    checkBody(attrs.tail, "tail", rest, attrs, inputs);
    attrs.tail.outputs.forEach((id, k) => {
      if (attrs.tail!.nodes[id]!.dtype !== attrs.body.nodes[attrs.body.outputs[k]!]!.dtype) {
        shapeError(`tail output ${k} has a different dtype from body output ${k}`);
      }
    });
  }
  return loopOutputTypes(attrs);
}

/**
 * Rules of chunk_loop and get_item. `graphFlops` is injected so this table does not import the
 * registry that contains it.
 */
export function controlRules(graphFlops: (graph: Graph) => number): Rules<ControlOp> {
  return {
    chunk_loop: {
      arity: [1, Infinity],
      infer: (attrs, inputs) => inferLoop(attrs, inputs),
      // Regions are flat: a loop is a barrier for further chunking.
      dimFlow: () => null,
      alias: () => null,
      // Iteration t reads only slice t of an input chunked along d and writes slice t of an
      // output chunked along d once its body has run, so such an output may overwrite such an
      // input of its type: what it overwrites was read already and is not read again.
      inPlace: ({ inputDims, outputDims }, inputs, outputs) =>
        outputs.flatMap((type, output) =>
          inputs.flatMap((x, input) =>
            inputDims[input] !== null &&
            inputDims[input] === outputDims[output] &&
            x.dtype === type.dtype &&
            sameShape(x.shape, type.shape)
              ? [{ output, input }]
              : [],
          ),
        ),
      workspaceBytes: (attrs, inputs) => loopSliceBytes(attrs, inputs),
      flops({ body, tail, length, chunkSize }) {
        const full = Math.floor(length / chunkSize);
        return full * graphFlops(body) + (tail === null ? 0 : graphFlops(tail));
      },
    },
    get_item: {
      arity: [1, 1],
      infer({ index }, [source]) {
        const outputs = nodeOutputs(source!);
        if (outputs.length < 2) shapeError(`the input has one output; use it directly`);
        expectInt(index, "index", 0, outputs.length - 1);
        return [outputs[index]!];
      },
      dimFlow: () => null,
      alias: ({ index }) => ({ input: 0, output: index }),
      workspaceBytes: () => 0,
      flops: () => 0,
    },
  };
}
