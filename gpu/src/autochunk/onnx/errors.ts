/** Where in the ONNX graph an import failed: the node's op type and name. */
export interface OnnxNodeRef {
  readonly opType: string;
  readonly nodeName: string;
}

/**
 * An ONNX graph cannot be imported: the message says what was found and what to do; `node`
 * names the ONNX node at fault when there is one.
 *
 * @example
 * try {
 *   importOnnx(bytes);
 * } catch (e) {
 *   if (e instanceof OnnxImportError) console.log(e.node?.opType, e.node?.nodeName);
 * }
 */
export class OnnxImportError extends Error {
  readonly node: OnnxNodeRef | null;

  constructor(message: string, node: OnnxNodeRef | null = null, options?: ErrorOptions) {
    super(message, options);
    this.name = "OnnxImportError";
    this.node = node;
  }
}
