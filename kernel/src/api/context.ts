import type { CommManager } from "../comms/manager.js";
import { serveLiveWidgets } from "./live.js";
import type { Outputs } from "../session/outputs.js";

/** What the cell API needs from the running kernel. */
export interface KernelServices {
  outputs: Outputs;
  comms: CommManager;
}

let bound: KernelServices | undefined;

/** Called once by the kernel at start-up; also opens the live widgets' comm target. */
export function bindKernel(services: KernelServices): void {
  bound = services;
  serveLiveWidgets(services.comms);
}

export function services(caller: string): KernelServices {
  if (bound === undefined) {
    throw new Error(
      `${caller} works inside the Tessera kernel only (a notebook cell with the "TypeScript (Tessera)" kernel).`,
    );
  }
  return bound;
}
