import assert from "node:assert/strict";
import { test } from "node:test";
import { InterruptState } from "./interrupts.js";

test("SIGINT may be claimed only while a cell's own code runs, and once", () => {
  const state = new InterruptState();
  assert.equal(state.claimSignal(), false, "no cell runs");
  state.enterSync();
  assert.equal(state.runningSync, true);
  assert.equal(state.claimSignal(), true);
  assert.equal(state.claimSignal(), false, "already claimed");
  state.signalRaised();
  assert.equal(state.runningSync, true, "the run may not end until the signal has acted");
});

test("leaving a run nobody signalled is immediate; a signalled one waits for the signal", () => {
  const state = new InterruptState();
  state.enterSync();
  state.leaveSync(5000);
  assert.equal(state.runningSync, false);
  assert.equal(state.claimSignal(), false, "nothing runs after the run");

  state.enterSync();
  assert.ok(state.claimSignal());
  state.signalRaised();
  const start = performance.now();
  state.leaveSync(50); // no watchdog here: the signal never acts, so the wait runs out
  assert.ok(performance.now() - start >= 45, `left after ${performance.now() - start} ms`);
  assert.equal(state.runningSync, false);
});

test("a raise that finishes after its run was ended and a next run began leaves the next run alone", () => {
  const state = new InterruptState();
  state.enterSync();
  assert.ok(state.claimSignal());
  // The signal ends the run (V8's termination skips leaveSync) and the next cell's run starts
  // before the transport thread notes that it raised the signal.
  state.enterSync();
  state.signalRaised();
  assert.ok(state.claimSignal(), "the next run can still be interrupted");
});
