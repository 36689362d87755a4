/**
 * Wire format: signing, verification and framing of Jupyter messages.
 * Pure functions over Buffers; sockets live in transport.ts.
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { PROTOCOL_VERSION, type Header, type Message } from "./messages.js";

const DELIMITER = "<IDS|MSG>";

/** Signs the four JSON frames; an empty key means "no signing" (the spec's rule). */
export interface Signer {
  sign(frames: readonly Buffer[]): string;
  verify(signature: string, frames: readonly Buffer[]): boolean;
}

const HASHES: Record<string, string> = {
  "hmac-sha256": "sha256",
  "hmac-sha512": "sha512",
  "hmac-sha1": "sha1",
  "hmac-md5": "md5",
};

/**
 * @example
 * const s = createSigner("hmac-sha256", key);
 * s.verify(s.sign(frames), frames); // true
 */
export function createSigner(scheme: string, key: string): Signer {
  if (key === "") {
    return { sign: () => "", verify: (signature) => signature === "" };
  }
  const hash = HASHES[scheme];
  if (hash === undefined) {
    throw new Error(
      `Unsupported signature_scheme "${scheme}" in the connection file; use one of ${Object.keys(HASHES).join(", ")}.`,
    );
  }
  const sign = (frames: readonly Buffer[]): string => {
    const h = createHmac(hash, key);
    for (const f of frames) h.update(f);
    return h.digest("hex");
  };
  return {
    sign,
    verify(signature, frames) {
      const expected = Buffer.from(sign(frames), "utf8");
      const got = Buffer.from(signature, "utf8");
      return got.length === expected.length && timingSafeEqual(got, expected);
    },
  };
}

/** Why a multipart message was not accepted. */
export class WireError extends Error {}

/** A verified message and the signature it came with (for the replay check). */
export interface Decoded {
  message: Message;
  signature: string;
}

/**
 * Splits and verifies a multipart message. Throws WireError on a missing delimiter,
 * a bad signature or malformed JSON; the caller logs and drops it.
 */
export function decode(frames: readonly Buffer[], signer: Signer): Decoded {
  const d = frames.findIndex((f) => f.length === DELIMITER.length && f.toString() === DELIMITER);
  if (d < 0) throw new WireError("no <IDS|MSG> delimiter");
  if (frames.length < d + 6) throw new WireError(`too few frames (${frames.length})`);
  const signature = frames[d + 1]!.toString();
  const json = frames.slice(d + 2, d + 6);
  if (!signer.verify(signature, json)) throw new WireError("invalid HMAC signature");
  let parsed: unknown[];
  try {
    parsed = json.map((f) => JSON.parse(f.toString("utf8")) as unknown);
  } catch (e) {
    throw new WireError(`malformed JSON frame: ${(e as Error).message}`);
  }
  const [header, parent, metadata, content] = parsed;
  if (!isObject(header) || typeof header["msg_type"] !== "string") {
    throw new WireError("header without msg_type");
  }
  const message: Message = {
    identities: frames.slice(0, d),
    header: header as unknown as Header,
    parent_header: (isObject(parent) ? parent : {}) as Message["parent_header"],
    metadata: isObject(metadata) ? metadata : {},
    content: isObject(content) ? content : {},
    buffers: frames.slice(d + 6),
  };
  return { message, signature };
}

/** Serializes and signs a message into frames, identities first. */
export function encode(msg: Message<unknown>, signer: Signer): Buffer[] {
  const json = [msg.header, msg.parent_header, msg.metadata, msg.content].map((x) =>
    Buffer.from(JSON.stringify(x), "utf8"),
  );
  return [
    ...msg.identities,
    Buffer.from(DELIMITER),
    Buffer.from(signer.sign(json)),
    ...json,
    ...msg.buffers,
  ];
}

/** A fresh header for a message this kernel originates. */
export function newHeader(msgType: string, session: string): Header {
  return {
    msg_id: randomUUID(),
    session,
    username: "kernel",
    date: new Date().toISOString(),
    msg_type: msgType,
    version: PROTOCOL_VERSION,
  };
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}
