/**
 * The strongly connected components of a graph, largest first, as buttons: clicking one
 * highlights its nodes (clicking it again clears). Sizes only: component ids are the rank
 * by size the kernel gave them.
 */
export interface ComponentList {
  readonly element: HTMLElement;
  /** Marks component `id` as chosen (or none) without calling back. */
  choose(id: number | undefined): void;
}

/** At most this many buttons; the rest are counted. */
const SHOWN = 12;

export function componentList(
  count: number,
  sizes: Uint32Array,
  onChoose: (id: number | undefined) => void,
): ComponentList {
  const element = document.createElement("div");
  element.className = "tessera-proximity-graph-components";
  const caption = document.createElement("div");
  caption.className = "tessera-proximity-graph-caption";
  caption.textContent = `${count.toLocaleString("en-US")} strongly connected component${count === 1 ? "" : "s"}`;
  const list = document.createElement("div");
  let chosen: number | undefined;
  const buttons = Array.from(sizes.subarray(0, SHOWN), (size, id) => {
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.component = String(id);
    b.textContent = `#${id + 1}: ${size.toLocaleString("en-US")}`;
    b.title = `component ${id + 1} by size: ${size} nodes`;
    b.addEventListener("click", () => {
      chosen = chosen === id ? undefined : id;
      paint();
      onChoose(chosen);
    });
    return b;
  });
  const paint = (): void =>
    buttons.forEach((b, id) => b.classList.toggle("selected", id === chosen));
  list.append(...buttons);
  if (count > SHOWN) {
    const more = document.createElement("span");
    more.textContent = `… ${(count - SHOWN).toLocaleString("en-US")} more`;
    list.append(more);
  }
  element.append(caption, list);
  return {
    element,
    choose(id) {
      chosen = id;
      paint();
    },
  };
}
