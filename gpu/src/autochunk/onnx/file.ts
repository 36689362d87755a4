import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join, normalize } from "node:path";
import type { Graph } from "../ir/graph.js";
import { OnnxImportError } from "./errors.js";
import type { ImportOnnxOptions } from "./import.js";
import { importOnnx } from "./import.js";

/*
 * Node-only (files): exported from @tessera/gpu/node, so the browser entry stays free of fs.
 */

/**
 * Reads an .onnx file and imports it (see importOnnx), reading tensors stored as external data
 * (torch.onnx.export's layout for models over 2 GB) from files beside the model.
 *
 * @example
 * import { readOnnxFile } from "@tessera/gpu/node";
 * const graph = readOnnxFile("gpt2_block.onnx", { inputShapes: { x: [1, 4096, 768] } });
 */
export function readOnnxFile(
  path: string,
  options: Omit<ImportOnnxOptions, "externalData"> = {},
): Graph {
  const folder = dirname(path);
  const files = new Map<string, Uint8Array>();
  const externalData = (location: string): Uint8Array => {
    const relative = normalize(location);
    if (isAbsolute(relative) || relative.startsWith("..")) {
      throw new OnnxImportError(
        `readOnnxFile: external data location "${location}" leaves the model's folder; ` +
          `ONNX locations are relative paths beside the model.`,
      );
    }
    let bytes = files.get(relative);
    if (bytes === undefined) {
      try {
        bytes = readFileSync(join(folder, relative));
      } catch (e) {
        throw new OnnxImportError(
          `readOnnxFile: cannot read external data "${location}" beside ${path} ` +
            `(${(e as Error).message}); keep the .onnx file and its data files together.`,
          null,
          { cause: e },
        );
      }
      files.set(relative, bytes);
    }
    return bytes;
  };
  return importOnnx(readFileSync(path), { ...options, externalData });
}
