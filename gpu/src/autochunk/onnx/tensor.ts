import { formatShape, numel } from "../ir/shape.js";
import type { Shape } from "../ir/shape.js";
import { OnnxImportError } from "./errors.js";
import type { OnnxTensorProto } from "./proto.js";
import { ONNX_DTYPE, ONNX_EXTERNAL } from "./proto.js";

/**
 * A constant known while importing (an initializer, a `Constant`, or a value folded from
 * constants and static shapes). Three element kinds are enough for what graphs compute on the
 * host: float32 values (weights; the IR's f32), integers of any ONNX width (shapes, indices,
 * axes; exact in a double up to 2^53) and booleans (masks), the last two held as doubles.
 */
export type HostTensor =
  | { readonly kind: "float"; readonly shape: Shape; readonly data: Float32Array }
  | { readonly kind: "int" | "bool"; readonly shape: Shape; readonly data: Float64Array };

/** The element kind of a host tensor. */
export type HostKind = HostTensor["kind"];

/**
 * Reads `length` bytes (undefined: to the end) at `offset` of the file a tensor's `external_data`
 * names (`location`, a path relative to the model). Ranges, not whole files: torch writes
 * external data for models over 2 GB, more than one buffer should hold.
 */
export type ExternalDataReader = (
  location: string,
  offset: number,
  length: number | undefined,
) => Uint8Array;

/**
 * A host tensor of `kind` and `shape` over `values`.
 *
 * @example
 * hostTensor("int", [2], [1, 64]);
 */
export function hostTensor(kind: HostKind, shape: Shape, values: ArrayLike<number>): HostTensor {
  if (values.length !== numel(shape)) {
    throw new RangeError(`hostTensor: ${formatShape(shape)} needs ${numel(shape)} values`);
  }
  return kind === "float"
    ? { kind, shape: [...shape], data: Float32Array.from(values) }
    : { kind, shape: [...shape], data: Float64Array.from(values) };
}

/** The kind an ONNX `TensorProto.DataType` is held as, or null when it is not supported. */
export function hostKindOf(dataType: number): HostKind | null {
  switch (dataType) {
    case ONNX_DTYPE.FLOAT:
      return "float";
    case ONNX_DTYPE.BOOL:
      return "bool";
    case ONNX_DTYPE.UINT8:
    case ONNX_DTYPE.INT8:
    case ONNX_DTYPE.UINT16:
    case ONNX_DTYPE.INT16:
    case ONNX_DTYPE.INT32:
    case ONNX_DTYPE.INT64:
    case ONNX_DTYPE.UINT32:
    case ONNX_DTYPE.UINT64:
      return "int";
    default:
      return null;
  }
}

const DTYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(ONNX_DTYPE).map(([name, code]) => [code, name.toLowerCase()]),
);

/** A readable name of an ONNX element type ("float16", "type 14"). */
export function dtypeName(dataType: number): string {
  return DTYPE_NAMES[dataType] ?? `type ${dataType}`;
}

/**
 * The values of a `TensorProto`, from `raw_data`, the typed repeated fields, or an external
 * file read through `external`; `where` names the tensor's user in messages.
 */
export function readTensor(
  t: OnnxTensorProto,
  external: ExternalDataReader | undefined,
  where: string,
): HostTensor {
  const dataType = t.dataType ?? 0;
  const kind = hostKindOf(dataType);
  const name = t.name ?? "";
  if (kind === null) {
    throw new OnnxImportError(
      `${where}: tensor "${name}" holds ${dtypeName(dataType)} values; AutoChunk computes in ` +
        `float32 (export the model in float32, e.g. model.float() before torch.onnx.export).`,
    );
  }
  const shape = t.dims.map(Number);
  const count = numel(shape);
  const raw = t.dataLocation === ONNX_EXTERNAL ? externalBytes(t, external, where) : t.rawData;
  const values =
    raw !== undefined && raw.byteLength > 0
      ? fromRaw(raw, dataType, count, `${where}: tensor "${name}"`)
      : fromFields(t, dataType);
  if (values.length !== count) {
    throw new OnnxImportError(
      `${where}: tensor "${name}" of shape ${formatShape(shape)} holds ${values.length} ` +
        `values, not ${count}; the model file is damaged.`,
    );
  }
  if (kind === "float") {
    return {
      kind,
      shape,
      data: values instanceof Float32Array ? values : Float32Array.from(values),
    };
  }
  return { kind, shape, data: values instanceof Float64Array ? values : Float64Array.from(values) };
}

function externalBytes(
  t: OnnxTensorProto,
  external: ExternalDataReader | undefined,
  where: string,
): Uint8Array {
  const entry = (key: string) => t.externalData.find((e) => e.key === key)?.value;
  const location = entry("location");
  if (location === undefined) {
    throw new OnnxImportError(`${where}: tensor "${t.name}" is external but names no location.`);
  }
  if (external === undefined) {
    throw new OnnxImportError(
      `${where}: tensor "${t.name}" is stored outside the model, in "${location}"; import the ` +
        `model with readOnnxFile(path) (from @tessera/gpu/node), which reads such files from ` +
        `the model's folder, or pass options.externalData.`,
    );
  }
  const offset = Number(entry("offset") ?? 0);
  const length = entry("length") === undefined ? undefined : Number(entry("length"));
  const bytes = external(location, offset, length);
  if (length !== undefined && bytes.byteLength !== length) {
    throw new OnnxImportError(
      `${where}: tensor "${t.name}" needs ${length} bytes at ${offset} of "${location}", got ` +
        `${bytes.byteLength}; the file is truncated or belongs to another model.`,
    );
  }
  return bytes;
}

// ONNX stores raw data little-endian, as typed arrays are on every platform Node runs on.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function fromRaw(
  raw: Uint8Array,
  dataType: number,
  count: number,
  what: string,
): Float32Array | Float64Array {
  const width = raw.byteLength / Math.max(count, 1);
  if (count > 0 && !Number.isInteger(width)) {
    throw new OnnxImportError(
      `${what}: raw_data holds ${raw.byteLength} bytes for ${count} values.`,
    );
  }
  if (dataType === ONNX_DTYPE.FLOAT && LITTLE_ENDIAN && width === 4) {
    // Weights: one copy into a fresh, aligned buffer (a view into the file may start at any byte).
    const bytes = new Uint8Array(raw.byteLength);
    bytes.set(raw);
    return new Float32Array(bytes.buffer);
  }
  if (width === 1) {
    // Masks and bytes (bool, uint8, int8): read as a typed array, not byte by byte.
    const bytes =
      dataType === ONNX_DTYPE.INT8
        ? new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength)
        : raw;
    const out = new Float64Array(count);
    for (let i = 0; i < count; i++) out[i] = bytes[i]!;
    return out;
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out = dataType === ONNX_DTYPE.FLOAT ? new Float32Array(count) : new Float64Array(count);
  const read = rawReader(view, dataType);
  for (let i = 0; i < count; i++) out[i] = read(i * width);
  return out;
}

function rawReader(view: DataView, dataType: number): (offset: number) => number {
  switch (dataType) {
    case ONNX_DTYPE.FLOAT:
      return (o) => view.getFloat32(o, true);
    case ONNX_DTYPE.INT64:
      return (o) => Number(view.getBigInt64(o, true));
    case ONNX_DTYPE.UINT64:
      return (o) => Number(view.getBigUint64(o, true));
    case ONNX_DTYPE.INT32:
      return (o) => view.getInt32(o, true);
    case ONNX_DTYPE.UINT32:
      return (o) => view.getUint32(o, true);
    case ONNX_DTYPE.INT16:
      return (o) => view.getInt16(o, true);
    case ONNX_DTYPE.UINT16:
      return (o) => view.getUint16(o, true);
    case ONNX_DTYPE.INT8:
      return (o) => view.getInt8(o);
    default: // UINT8, BOOL
      return (o) => view.getUint8(o);
  }
}

function fromFields(t: OnnxTensorProto, dataType: number): readonly number[] {
  switch (dataType) {
    case ONNX_DTYPE.FLOAT:
      return t.floatData;
    case ONNX_DTYPE.INT64:
      return t.int64Data;
    case ONNX_DTYPE.UINT32:
    case ONNX_DTYPE.UINT64:
      return t.uint64Data;
    default: // the narrower integer types and BOOL are stored in int32_data
      return t.int32Data;
  }
}
