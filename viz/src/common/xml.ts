// Characters XML 1.0 forbids outright; left in, they make the whole document unparsable.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/**
 * Escapes text for XML/SVG element content and attribute values, dropping the
 * control characters XML cannot carry at all.
 *
 * @example
 * escapeXml(`<b>"x" & y</b>`); // "&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;"
 */
export function escapeXml(text: string): string {
  return text.replace(FORBIDDEN, "").replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
