import type { Problems } from "../common/problems.js";
import { LIVE_TARGET } from "./live-messages.js";

/** JSON Schema of a payload's `live` field (a `LiveRef`), its id at most `maxLength` characters. */
export const liveRefSchema = (maxLength: number) =>
  ({
    type: "object",
    required: ["target", "id"],
    additionalProperties: false,
    properties: { target: { const: LIVE_TARGET }, id: { type: "string", maxLength } },
  }) as const;

/** Checks a payload's `live` field (a `LiveRef`, its id at most `maxLength` characters). */
export function checkLiveRef(p: Problems, live: unknown, maxLength: number): void {
  if (!p.record(live, "live", ["target", "id"])) return;
  p.oneOf(live.target, "live.target", [LIVE_TARGET]);
  p.text(live.id, "live.id", maxLength);
}
