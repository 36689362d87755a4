/**
 * The box a widget shows instead of a payload that breaks its contract: which MIME type,
 * and each problem with the field it names. Problems quote the payload, so they go in as
 * text, never as markup.
 */
export function errorBox(mimeType: string, problems: readonly string[]): HTMLElement {
  const box = document.createElement("div");
  box.className = "tessera-error";
  box.setAttribute("role", "alert");
  const heading = document.createElement("p");
  heading.textContent = `Cannot show this output: the payload does not match ${mimeType}.`;
  const list = document.createElement("ul");
  for (const problem of problems) {
    const item = document.createElement("li");
    item.textContent = problem;
    list.append(item);
  }
  box.append(heading, list);
  return box;
}
