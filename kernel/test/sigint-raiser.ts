/*
 * A worker for the executor's tests that raises SIGINT as the transport does
 * (src/protocol/transport-worker.ts): it waits for a cell's run, requests an interrupt 0-400 µs
 * into it, and raises the signal when it wins the claim, so that the signal lands at the
 * run's start, in it, or after its end. It runs until `stop[0]` is set.
 */
import { workerData } from "node:worker_threads";
import { InterruptState } from "../src/cells/interrupts.js";

const { state: buffer, stop: stopBuffer } = workerData as {
  state: SharedArrayBuffer;
  stop: SharedArrayBuffer;
};
const state = new InterruptState(buffer);
const stop = new Int32Array(stopBuffer);
const stopped = () => Atomics.load(stop, 0) !== 0;

let seed = 7;
while (!stopped()) {
  if (!state.runningSync) continue;
  seed = (seed * 48271) % 2147483647;
  const until = performance.now() + (seed % 400) / 1000;
  while (performance.now() < until);
  state.request();
  if (state.claimSignal()) {
    process.kill(process.pid, "SIGINT");
    state.signalRaised();
  }
  while (state.runningSync && !stopped());
}
