import { OnnxImportError } from "./errors.js";
import type { OnnxNodeRef } from "./errors.js";
import type { OnnxAttributeProto, OnnxNodeProto } from "./proto.js";
import { ONNX_ATTRIBUTE } from "./proto.js";

/** A node's attributes by name, read with the type the op's schema gives them. */
export interface Attributes {
  int(name: string, fallback: number): number;
  ints(name: string): readonly number[] | undefined;
  float(name: string, fallback: number): number;
  string(name: string, fallback: string): string;
  /** A tensor attribute (`Constant`'s `value`, `ConstantOfShape`'s `value`). */
  raw(name: string): OnnxAttributeProto | undefined;
}

/** The ref naming `node` in errors. */
export function nodeRef(node: OnnxNodeProto, index: number): OnnxNodeRef {
  const opType = node.opType ?? "";
  return { opType, nodeName: node.name || `${opType}_${index}` };
}

/** Typed access to `node`'s attributes; a wrong type is an error naming the node. */
export function attributesOf(node: OnnxNodeProto, ref: OnnxNodeRef): Attributes {
  const byName = new Map(node.attribute.map((a) => [a.name ?? "", a]));
  const typed = (name: string, type: number): OnnxAttributeProto | undefined => {
    const a = byName.get(name);
    if (a === undefined) return undefined;
    if (a.type !== undefined && a.type !== type) {
      throw new OnnxImportError(
        `importOnnx: node "${ref.nodeName}" (${ref.opType}): attribute "${name}" has type ` +
          `${a.type}, expected ${type} (AttributeProto.AttributeType); the model is malformed.`,
        ref,
      );
    }
    return a;
  };
  return {
    int: (name, fallback) => typed(name, ONNX_ATTRIBUTE.INT)?.i ?? fallback,
    ints: (name) => typed(name, ONNX_ATTRIBUTE.INTS)?.ints,
    float: (name, fallback) => typed(name, ONNX_ATTRIBUTE.FLOAT)?.f ?? fallback,
    string: (name, fallback) => {
      const s = typed(name, ONNX_ATTRIBUTE.STRING)?.s;
      return s === undefined ? fallback : new TextDecoder().decode(s);
    },
    raw: (name) => byName.get(name),
  };
}
