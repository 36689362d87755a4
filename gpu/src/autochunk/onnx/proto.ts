import protobuf from "protobufjs/light.js";

/*
 * The part of ONNX's protobuf schema (onnx.proto, IR version 3 and later) that the importer
 * reads, written out here as a protobufjs JSON descriptor so that no .proto file is parsed or
 * fetched at run time. Field numbers and proto2 semantics (a field set to 0 is present, some
 * numeric lists are packed) are the schema's; fields left out (doc strings, training info,
 * functions, sparse tensors, subgraph attributes) are skipped by the decoder as unknown fields. The interfaces below are the plain objects `decodeOnnxModel` returns: scalar fields
 * absent from the bytes are undefined (so a dim without a value is told from a dim of 0),
 * repeated fields are arrays, int64 fields are numbers (exact below 2^53) and bytes fields are
 * views into the decoded buffer.
 */

/** `TensorProto.DataType` values the importer knows. */
export const ONNX_DTYPE = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
} as const;

/** `AttributeProto.AttributeType` values. */
export const ONNX_ATTRIBUTE = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;

/** `TensorProto.DataLocation.EXTERNAL`: the values are in another file (`externalData`). */
export const ONNX_EXTERNAL = 1;

/** A key/value pair (`StringStringEntryProto`). */
export interface OnnxEntry {
  readonly key?: string;
  readonly value?: string;
}

/** `TensorProto`: an initializer or a constant. */
export interface OnnxTensorProto {
  readonly dims: readonly number[];
  readonly dataType?: number;
  readonly floatData: readonly number[];
  readonly int32Data: readonly number[];
  readonly int64Data: readonly number[];
  readonly uint64Data: readonly number[];
  readonly name?: string;
  readonly rawData?: Uint8Array;
  readonly externalData: readonly OnnxEntry[];
  readonly dataLocation?: number;
}

/** `AttributeProto`. */
export interface OnnxAttributeProto {
  readonly name?: string;
  readonly type?: number;
  readonly f?: number;
  readonly i?: number;
  readonly s?: Uint8Array;
  readonly t?: OnnxTensorProto;
  readonly floats: readonly number[];
  readonly ints: readonly number[];
  readonly strings: readonly Uint8Array[];
}

/** `NodeProto`: one op application. An empty input name is an omitted optional input. */
export interface OnnxNodeProto {
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly name?: string;
  readonly opType?: string;
  readonly domain?: string;
  readonly attribute: readonly OnnxAttributeProto[];
}

/** `TensorShapeProto.Dimension`: a fixed extent, a symbolic name, or neither (unknown). */
export interface OnnxDimension {
  readonly dimValue?: number;
  readonly dimParam?: string;
}

/** `ValueInfoProto` with its tensor type (`TypeProto.Tensor`). */
export interface OnnxValueInfoProto {
  readonly name?: string;
  readonly type?: {
    readonly tensorType?: {
      readonly elemType?: number;
      readonly shape?: { readonly dim: readonly OnnxDimension[] };
    };
  };
}

/** `GraphProto`. */
export interface OnnxGraphProto {
  readonly node: readonly OnnxNodeProto[];
  readonly name?: string;
  readonly initializer: readonly OnnxTensorProto[];
  readonly input: readonly OnnxValueInfoProto[];
  readonly output: readonly OnnxValueInfoProto[];
}

/** `OperatorSetIdProto`: the opset version of a domain ("" is the default ONNX domain). */
export interface OnnxOpsetId {
  readonly domain?: string;
  readonly version?: number;
}

/** `ModelProto`. */
export interface OnnxModelProto {
  readonly irVersion?: number;
  readonly opsetImport: readonly OnnxOpsetId[];
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly graph?: OnnxGraphProto;
}

const field = (type: string, id: number) => ({ type, id });
const repeated = (type: string, id: number) => ({ type, id, rule: "repeated" });
// onnx.proto marks these numeric lists [packed = true]; the other lists are unpacked (proto2).
const packed = (type: string, id: number) => ({ ...repeated(type, id), options: { packed: true } });

/** The schema subset as a protobufjs root (package `onnx`); also encodes models in tests. */
export const onnxSchema = protobuf.Root.fromJSON({
  nested: {
    onnx: {
      nested: {
        StringStringEntryProto: {
          edition: "proto2",
          fields: { key: field("string", 1), value: field("string", 2) },
        },
        TensorProto: {
          edition: "proto2",
          fields: {
            dims: repeated("int64", 1),
            dataType: field("int32", 2),
            floatData: packed("float", 4),
            int32Data: packed("int32", 5),
            int64Data: packed("int64", 7),
            name: field("string", 8),
            rawData: field("bytes", 9),
            uint64Data: packed("uint64", 11),
            externalData: repeated("StringStringEntryProto", 13),
            dataLocation: field("int32", 14),
          },
        },
        AttributeProto: {
          edition: "proto2",
          fields: {
            name: field("string", 1),
            f: field("float", 2),
            i: field("int64", 3),
            s: field("bytes", 4),
            t: field("TensorProto", 5),
            floats: repeated("float", 7),
            ints: repeated("int64", 8),
            strings: repeated("bytes", 9),
            type: field("int32", 20),
          },
        },
        NodeProto: {
          edition: "proto2",
          fields: {
            input: repeated("string", 1),
            output: repeated("string", 2),
            name: field("string", 3),
            opType: field("string", 4),
            attribute: repeated("AttributeProto", 5),
            domain: field("string", 7),
          },
        },
        TensorShapeProto: {
          edition: "proto2",
          fields: { dim: repeated("Dimension", 1) },
          nested: {
            Dimension: {
              edition: "proto2",
              oneofs: { value: { oneof: ["dimValue", "dimParam"] } },
              fields: { dimValue: field("int64", 1), dimParam: field("string", 2) },
            },
          },
        },
        TypeProto: {
          edition: "proto2",
          oneofs: { value: { oneof: ["tensorType"] } },
          fields: { tensorType: field("Tensor", 1) },
          nested: {
            Tensor: {
              edition: "proto2",
              fields: { elemType: field("int32", 1), shape: field("TensorShapeProto", 2) },
            },
          },
        },
        ValueInfoProto: {
          edition: "proto2",
          fields: { name: field("string", 1), type: field("TypeProto", 2) },
        },
        GraphProto: {
          edition: "proto2",
          fields: {
            node: repeated("NodeProto", 1),
            name: field("string", 2),
            initializer: repeated("TensorProto", 5),
            input: repeated("ValueInfoProto", 11),
            output: repeated("ValueInfoProto", 12),
          },
        },
        OperatorSetIdProto: {
          edition: "proto2",
          fields: { domain: field("string", 1), version: field("int64", 2) },
        },
        ModelProto: {
          edition: "proto2",
          fields: {
            irVersion: field("int64", 1),
            producerName: field("string", 2),
            producerVersion: field("string", 3),
            graph: field("GraphProto", 7),
            opsetImport: repeated("OperatorSetIdProto", 8),
          },
        },
      },
    },
  },
});

const MODEL = onnxSchema.lookupType("onnx.ModelProto");

/**
 * Decodes the bytes of an .onnx file (a serialized `ModelProto`).
 *
 * @example
 * const model = decodeOnnxModel(readFileSync("block.onnx"));
 * model.graph?.node.map((n) => n.opType); // ["LayerNormalization", "MatMul", …]
 */
export function decodeOnnxModel(bytes: Uint8Array): OnnxModelProto {
  let message;
  try {
    message = MODEL.decode(bytes);
  } catch (e) {
    throw new RangeError(
      `importOnnx: the bytes are not an ONNX model (${(e as Error).message}); pass the ` +
        `contents of an .onnx file as torch.onnx.export writes it.`,
      { cause: e },
    );
  }
  // The conversion follows the schema above, which the interfaces mirror field for field.
  return MODEL.toObject(message, { longs: Number, arrays: true }) as OnnxModelProto;
}
