// Node-only entry (@tessera/gpu/node): files. The main entry stays browser-safe.
export * from "./datasets/node.js";
export { saveCagraIndex, loadCagraIndex, saveHnswlibIndex } from "./cagra/serialize/node.js";
export { readOnnxFile } from "./autochunk/onnx/file.js";
