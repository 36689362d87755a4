import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";
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
 * (torch.onnx.export's layout for models over 2 GB) from files beside the model, one tensor's
 * range at a time.
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
  const externalData = (location: string, offset: number, length: number | undefined) => {
    const relative = normalize(location);
    if (isAbsolute(relative) || relative.startsWith("..")) {
      throw new OnnxImportError(
        `readOnnxFile: external data location "${location}" leaves the model's folder; ` +
          `ONNX locations are relative paths beside the model.`,
      );
    }
    const file = join(folder, relative);
    let fd;
    try {
      fd = openSync(file, "r");
    } catch (e) {
      throw new OnnxImportError(
        `readOnnxFile: cannot read external data "${location}" beside ${path} ` +
          `(${(e as Error).message}); keep the .onnx file and its data files together.`,
        null,
        { cause: e },
      );
    }
    try {
      const size = fstatSync(fd).size;
      const bytes = new Uint8Array(Math.max(0, Math.min(length ?? size - offset, size - offset)));
      // readSync moves at most 2 GiB per call.
      for (let done = 0; done < bytes.byteLength;) {
        const n = readSync(fd, bytes, done, bytes.byteLength - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      return bytes;
    } finally {
      closeSync(fd);
    }
  };
  return importOnnx(readFileSync(path), { ...options, externalData });
}
