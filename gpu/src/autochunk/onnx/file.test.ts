import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { model } from "../../../test/onnx-model.js";
import { execute, tensor } from "../index.js";
import { readOnnxFile } from "./file.js";
import { ONNX_DTYPE } from "./proto.js";

const dir = mkdtempSync(join(tmpdir(), "onnx-file-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes x + b, with b [3] stored at byte 4 of `location`, as NAME.onnx. */
function writeModel(name: string, location: string): string {
  const bias = {
    name: "b",
    dims: [3],
    dataType: ONNX_DTYPE.FLOAT,
    dataLocation: 1,
    externalData: [
      { key: "location", value: location },
      { key: "offset", value: "4" },
      { key: "length", value: "12" },
    ],
  };
  const path = join(dir, `${name}.onnx`);
  writeFileSync(
    path,
    model([{ op: "Add", inputs: ["x", "b"], outputs: ["y"] }], { initializers: [bias] }),
  );
  return path;
}

test("readOnnxFile reads each external tensor's range from the file beside the model", async () => {
  writeFileSync(join(dir, "w.bin"), new Uint8Array(new Float32Array([99, 10, 20, 30, 99]).buffer));
  const graph = readOnnxFile(writeModel("ok", "w.bin"));
  const [out] = (await execute(graph, [tensor([2, 3], new Float32Array(6))])).outputs;
  assert.deepEqual([...out!.data], [10, 20, 30, 10, 20, 30]);
});

test("readOnnxFile names a missing, truncated or escaping external data file", () => {
  assert.throws(
    () => readOnnxFile(writeModel("missing", "absent.bin")),
    /cannot read external data "absent\.bin" beside .*missing\.onnx .*keep the \.onnx file and its data files together/,
  );
  writeFileSync(join(dir, "short.bin"), new Uint8Array(8));
  assert.throws(
    () => readOnnxFile(writeModel("short", "short.bin")),
    /tensor "b" needs 12 bytes at 4 of "short\.bin", got 4; the file is truncated/,
  );
  assert.throws(
    () => readOnnxFile(writeModel("escape", "../w.bin")),
    /location "\.\.\/w\.bin" leaves the model's folder/,
  );
});
