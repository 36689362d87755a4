import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, test } from "node:test";
import { PROTOCOL_VERSION, type Message } from "./messages.js";
import { createSigner, decode, encode, newHeader, WireError } from "./wire.js";

const FRAMES = [
  '{"msg_id":"a","msg_type":"kernel_info_request"}',
  "{}",
  '{"k":1}',
  '{"code":"1 + 1"}',
].map((s) => Buffer.from(s, "utf8"));

function sample(): Message {
  return {
    identities: [Buffer.from("client-1"), Buffer.from([0, 1, 2, 255])],
    header: newHeader("execute_request", "session-1"),
    parent_header: newHeader("kernel_info_request", "session-0"),
    metadata: { cellId: "c1", nested: { a: [1, 2] } },
    content: { code: "const π = 3.14; // ünïcode", silent: false },
    buffers: [Buffer.from([9, 8, 7]), Buffer.alloc(0), Buffer.from("tail")],
  };
}

describe("createSigner", () => {
  test("hmac-sha256 signs so that verify accepts the same frames", () => {
    const s = createSigner("hmac-sha256", "secret");
    const sig = s.sign(FRAMES);
    assert.match(sig, /^[0-9a-f]{64}$/);
    assert.equal(s.verify(sig, FRAMES), true);
  });

  test("hmac-sha256 matches an HMAC computed independently over the four frames", () => {
    const h = createHmac("sha256", "secret");
    for (const f of FRAMES) h.update(f);
    const expected = h.digest("hex");
    assert.equal(createSigner("hmac-sha256", "secret").sign(FRAMES), expected);
    // The frames are concatenated, not separated: one HMAC over their concatenation agrees.
    assert.equal(
      createHmac("sha256", "secret").update(Buffer.concat(FRAMES)).digest("hex"),
      expected,
    );
  });

  test('hmac-sha256 of four empty objects with key "secret" is the known vector', () => {
    // printf '{}{}{}{}' | openssl dgst -sha256 -hmac secret
    const frames = ["{}", "{}", "{}", "{}"].map((s) => Buffer.from(s));
    assert.equal(
      createSigner("hmac-sha256", "secret").sign(frames),
      "34982f0bfec60e7b933ffde06c1ecab0fba073717a95ab943d1dd06f82c2d5e4",
    );
  });

  test("hmac-sha512 gives a 128-hex-digit signature", () => {
    assert.match(createSigner("hmac-sha512", "k").sign(FRAMES), /^[0-9a-f]{128}$/);
  });

  test("verify rejects a signature over different frames", () => {
    const s = createSigner("hmac-sha256", "secret");
    const sig = s.sign(FRAMES);
    const tampered = [...FRAMES.slice(0, 3), Buffer.from('{"code":"2 + 2"}')];
    assert.equal(s.verify(sig, tampered), false);
  });

  test("verify rejects a signature of another length without throwing", () => {
    const s = createSigner("hmac-sha256", "secret");
    assert.equal(s.verify("abc", FRAMES), false);
    assert.equal(s.verify("", FRAMES), false);
  });

  test("an empty key means unsigned: the signature is empty and only an empty one verifies", () => {
    const s = createSigner("hmac-sha256", "");
    assert.equal(s.sign(FRAMES), "");
    assert.equal(s.verify("", FRAMES), true);
    assert.equal(s.verify("deadbeef", FRAMES), false);
  });

  test("an empty key is accepted whatever the scheme", () => {
    assert.equal(createSigner("hmac-whatever", "").sign(FRAMES), "");
  });

  test("an unsupported scheme throws a message naming it and the supported ones", () => {
    assert.throws(
      () => createSigner("hmac-sha3", "secret"),
      (e: unknown) =>
        e instanceof Error &&
        e.message.includes('"hmac-sha3"') &&
        e.message.includes("hmac-sha256"),
    );
  });
});

describe("encode and decode", () => {
  const signer = createSigner("hmac-sha256", "secret");

  test("encode lays out identities, delimiter, signature, four JSON frames and buffers", () => {
    const msg = sample();
    const frames = encode(msg, signer);
    assert.equal(frames.length, 2 + 1 + 1 + 4 + 3);
    assert.deepEqual(frames.slice(0, 2), msg.identities);
    assert.equal(frames[2]!.toString(), "<IDS|MSG>");
    assert.equal(frames[3]!.toString(), signer.sign(frames.slice(4, 8)));
    assert.deepEqual(JSON.parse(frames[4]!.toString()), msg.header);
    assert.deepEqual(JSON.parse(frames[7]!.toString()), msg.content);
    assert.deepEqual(frames.slice(8), msg.buffers);
  });

  test("a round trip keeps identities, header, parent_header, metadata, content and buffers", () => {
    const msg = sample();
    const { message, signature } = decode(encode(msg, signer), signer);
    assert.deepEqual(message.identities, msg.identities);
    assert.deepEqual(message.header, msg.header);
    assert.deepEqual(message.parent_header, msg.parent_header);
    assert.deepEqual(message.metadata, msg.metadata);
    assert.deepEqual(message.content, msg.content);
    assert.deepEqual(message.buffers, msg.buffers);
    assert.match(signature, /^[0-9a-f]{64}$/);
  });

  test("a round trip without identities or buffers gives empty lists", () => {
    const msg = { ...sample(), identities: [], buffers: [] };
    const { message } = decode(encode(msg, signer), signer);
    assert.deepEqual(message.identities, []);
    assert.deepEqual(message.buffers, []);
    assert.equal(message.header.msg_type, "execute_request");
  });

  test("an unsigned round trip works with an empty key", () => {
    const unsigned = createSigner("hmac-sha256", "");
    const frames = encode(sample(), unsigned);
    assert.equal(frames[3]!.length, 0);
    assert.deepEqual(decode(frames, unsigned).message.content, sample().content);
  });

  test("decode rejects a message whose content frame was tampered with", () => {
    const frames = encode(sample(), signer);
    frames[7] = Buffer.from('{"code":"process.exit()"}');
    assert.throws(
      () => decode(frames, signer),
      (e: unknown) => e instanceof WireError && e.message === "invalid HMAC signature",
    );
  });

  test("decode rejects a message whose HMAC was made with another key", () => {
    const frames = encode(sample(), createSigner("hmac-sha256", "other"));
    assert.throws(
      () => decode(frames, signer),
      (e: unknown) => e instanceof WireError && e.message === "invalid HMAC signature",
    );
  });

  test("decode rejects a signed message when the kernel expects unsigned ones", () => {
    const frames = encode(sample(), signer);
    assert.throws(() => decode(frames, createSigner("hmac-sha256", "")), WireError);
  });

  test("decode rejects frames without the <IDS|MSG> delimiter", () => {
    const frames = encode(sample(), signer).filter((f) => f.toString() !== "<IDS|MSG>");
    assert.throws(
      () => decode(frames, signer),
      (e: unknown) => e instanceof WireError && /delimiter/.test(e.message),
    );
  });

  test("decode rejects a message with fewer than four JSON frames", () => {
    const frames = encode(sample(), signer).slice(0, 6);
    assert.throws(
      () => decode(frames, signer),
      (e: unknown) => e instanceof WireError && /too few frames/.test(e.message),
    );
  });

  test("decode rejects a correctly signed but malformed JSON frame", () => {
    const json = ['{"msg_type":"x"}', "{}", "{}", "{not json"].map((s) => Buffer.from(s));
    const frames = [Buffer.from("<IDS|MSG>"), Buffer.from(signer.sign(json)), ...json];
    assert.throws(
      () => decode(frames, signer),
      (e: unknown) => e instanceof WireError && /malformed JSON/.test(e.message),
    );
  });

  test("decode rejects a header without msg_type", () => {
    const json = ['{"msg_id":"x"}', "{}", "{}", "{}"].map((s) => Buffer.from(s));
    const frames = [Buffer.from("<IDS|MSG>"), Buffer.from(signer.sign(json)), ...json];
    assert.throws(
      () => decode(frames, signer),
      (e: unknown) => e instanceof WireError && /msg_type/.test(e.message),
    );
  });

  test("decode turns non-object parent, metadata and content into empty objects", () => {
    const json = ['{"msg_type":"x"}', "null", "[1]", '"text"'].map((s) => Buffer.from(s));
    const frames = [Buffer.from("<IDS|MSG>"), Buffer.from(signer.sign(json)), ...json];
    const { message } = decode(frames, signer);
    assert.deepEqual(message.parent_header, {});
    assert.deepEqual(message.metadata, {});
    assert.deepEqual(message.content, {});
  });

  test("decode finds the delimiter after identities that merely contain its text", () => {
    const msg = { ...sample(), identities: [Buffer.from("<IDS|MSG>x")] };
    const { message } = decode(encode(msg, signer), signer);
    assert.deepEqual(message.identities, msg.identities);
  });
});

describe("newHeader", () => {
  test("newHeader fills in a unique msg_id, the session, the type and the protocol version", () => {
    const a = newHeader("status", "s1");
    const b = newHeader("status", "s1");
    assert.notEqual(a.msg_id, b.msg_id);
    assert.equal(a.session, "s1");
    assert.equal(a.msg_type, "status");
    assert.equal(a.version, PROTOCOL_VERSION);
    assert.equal(a.username, "kernel");
    assert.ok(!Number.isNaN(Date.parse(a.date)));
  });
});
