import type { Comm, CommData, CommTargetHandler } from "../comms/manager.js";
import { services } from "./context.js";

/**
 * Opens a comm to a front-end target (e.g. a widget's model).
 *
 * @example
 * const comm = openComm("tessera", { kind: "hello" });
 * comm.onMessage(({ data }) => console.log("front end says", data));
 */
export function openComm(
  targetName: string,
  data?: CommData,
  buffers?: readonly Uint8Array[],
): Comm {
  return services("openComm()").comms.open(targetName, data, buffers);
}

/**
 * Lets front ends open comms to `targetName`; `handler` receives each one.
 *
 * @example
 * registerCommTarget("echo", (comm) => comm.onMessage(({ data }) => comm.send(data)));
 */
export function registerCommTarget(targetName: string, handler: CommTargetHandler): void {
  services("registerCommTarget()").comms.registerTarget(targetName, handler);
}
