import assert from "node:assert/strict";
import { test } from "node:test";
import { replyType } from "./messages.js";

test("replyType turns a request type into its reply type", () => {
  assert.equal(replyType("execute_request"), "execute_reply");
  assert.equal(replyType("comm_info_request"), "comm_info_reply");
  assert.equal(replyType("kernel_info_request"), "kernel_info_reply");
  assert.equal(replyType("is_complete_request"), "is_complete_reply");
});

test("replyType throws on a type that is not a request, naming it", () => {
  assert.throws(() => replyType("comm_msg"), /"comm_msg" is not a request type/);
  assert.throws(() => replyType("execute_reply"), /"execute_reply"/);
  assert.throws(() => replyType("execute_request_x"), /not a request type/);
});
