import { ONNX_ATTRIBUTE, ONNX_DTYPE, onnxSchema } from "../src/autochunk/onnx/proto.js";

/*
 * Test support: small ONNX models encoded with the importer's own schema (protobufjs encodes
 * what it decodes, with onnx.proto's proto2 presence), for tests that need no PyTorch.
 */

const MODEL = onnxSchema.lookupType("onnx.ModelProto");

/** One node: op type, value names, and optional name, domain and attributes. */
export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly domain?: string;
  readonly attrs?: readonly object[];
}

export const floats = (name: string, dims: readonly number[], values: readonly number[]) => ({
  name,
  dims,
  dataType: ONNX_DTYPE.FLOAT,
  floatData: values,
});
export const ints = (name: string, values: readonly number[]) => ({
  name,
  dims: [values.length],
  dataType: ONNX_DTYPE.INT64,
  int64Data: values,
});
export const intAttr = (name: string, i: number) => ({ name, type: ONNX_ATTRIBUTE.INT, i });
export const floatAttr = (name: string, f: number) => ({ name, type: ONNX_ATTRIBUTE.FLOAT, f });
export const valueInfo = (name: string, dims: readonly (number | string)[], elemType = 1) => ({
  name,
  type: {
    tensorType: {
      elemType,
      shape: {
        dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })),
      },
    },
  },
});

/**
 * The bytes of a model running `nodes` (default: input x f32[2, 3], output y, opset 17).
 *
 * @example
 * importOnnx(model([{ op: "Relu", inputs: ["x"], outputs: ["y"] }]));
 */
export function model(
  nodes: readonly NodeSpec[],
  options: {
    inputs?: readonly object[];
    initializers?: readonly object[];
    outputs?: readonly string[];
    opset?: number;
  } = {},
): Uint8Array {
  const message = MODEL.fromObject({
    irVersion: 8,
    opsetImport: [{ domain: "", version: options.opset ?? 17 }],
    graph: {
      node: nodes.map((n) => ({
        input: n.inputs,
        output: n.outputs,
        name: n.name ?? `/${n.op}`,
        opType: n.op,
        domain: n.domain ?? "",
        attribute: n.attrs ?? [],
      })),
      initializer: options.initializers ?? [],
      input: options.inputs ?? [valueInfo("x", [2, 3])],
      output: (options.outputs ?? ["y"]).map((name) => ({ name })),
    },
  });
  return MODEL.encode(message).finish();
}
