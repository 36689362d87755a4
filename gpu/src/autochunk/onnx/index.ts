// ONNX import (see README.md's onnx/ row and docs/onnx-import.md). This file only re-exports;
// readOnnxFile, which reads files, is exported from the Node entry (gpu/src/node.ts).
export type { ImportOnnxOptions } from "./import.js";
export { SUPPORTED_ONNX_OPS, importOnnx } from "./import.js";
export type { OnnxNodeRef } from "./errors.js";
export { OnnxImportError } from "./errors.js";
export type { ExternalDataReader } from "./tensor.js";
