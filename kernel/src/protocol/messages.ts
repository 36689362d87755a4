/** Jupyter messaging protocol types (spec 5.3+), the parts this kernel speaks. */

export const PROTOCOL_VERSION = "5.3";

export interface Header {
  msg_id: string;
  session: string;
  username: string;
  date: string;
  msg_type: string;
  version: string;
}

/** A decoded message: identities and buffers travel with it so replies route back. */
export interface Message<C = Record<string, unknown>> {
  identities: Buffer[];
  header: Header;
  parent_header: Header | Record<string, never>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
}

/** The sockets of a connection file, by role. */
export type Channel = "shell" | "control" | "stdin" | "iopub";

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  shell_port: number;
  control_port: number;
  stdin_port: number;
  iopub_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
}

/** `execute_request` → `execute_reply`: the reply type is derived, never typed by hand. */
export function replyType(requestType: string): string {
  if (!requestType.endsWith("_request")) {
    throw new Error(`replyType: "${requestType}" is not a request type.`);
  }
  return requestType.slice(0, -"_request".length) + "_reply";
}
