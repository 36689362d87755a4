/**
 * A degree histogram in SVG whose bins can be brushed: drag across bars to select a degree
 * range (the explorer highlights those nodes), click without dragging to clear. Colours come
 * from CSS (widgets.css), so the theme applies without a redraw.
 */
const SVG = "http://www.w3.org/2000/svg";

export interface DegreeHistogram {
  readonly element: HTMLElement;
  /** Shows `values` (a degree per node); keeps no selection. */
  show(values: Uint32Array, label: string): void;
  /** Marks the bins of [lo, hi] as selected (or none) without calling back. */
  select(range: readonly [number, number] | undefined): void;
}

/** Counts per degree 0..max. */
export function countDegrees(values: Uint32Array): Uint32Array {
  let max = 0;
  for (const v of values) if (v > max) max = v;
  const counts = new Uint32Array(max + 1);
  for (const v of values) counts[v]!++;
  return counts;
}

/**
 * @example
 * const h = degreeHistogram((range) => highlight(range));
 * h.show(graph.inDegree, "in-degree");
 */
export function degreeHistogram(
  onBrush: (range: [number, number] | undefined) => void,
): DegreeHistogram {
  const element = document.createElement("div");
  element.className = "tessera-proximity-graph-histogram";
  const caption = document.createElement("div");
  caption.className = "tessera-proximity-graph-caption";
  const svg = document.createElementNS(SVG, "svg");
  const [width, height, bottom] = [260, 90, 14];
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  element.append(caption, svg);
  let counts: Uint32Array = new Uint32Array(0);
  let name = "";
  let bars: SVGRectElement[] = [];
  let selected: [number, number] | undefined;
  const binAt = (event: PointerEvent): number => {
    const box = svg.getBoundingClientRect();
    const x = ((event.clientX - box.left) / Math.max(1, box.width)) * width;
    return Math.min(counts.length - 1, Math.max(0, Math.floor((x / width) * counts.length)));
  };
  const paint = (): void => {
    bars.forEach((bar, d) => {
      const on = selected !== undefined && d >= selected[0] && d <= selected[1];
      bar.classList.toggle("selected", on);
    });
    let n = 0;
    if (selected) for (let d = selected[0]; d <= selected[1]; d++) n += counts[d] ?? 0;
    caption.textContent = selected
      ? `${name} ${selected[0]}–${selected[1]}: ${n.toLocaleString("en-US")} nodes (click to clear)`
      : `${name} (drag to select)`;
  };
  let start: number | undefined;
  svg.addEventListener("pointerdown", (e) => {
    if (counts.length === 0) return;
    start = binAt(e);
    svg.setPointerCapture(e.pointerId);
  });
  svg.addEventListener("pointermove", (e) => {
    if (start === undefined) return;
    const b = binAt(e);
    if (b !== start) {
      selected = [Math.min(start, b), Math.max(start, b)];
      paint();
    }
  });
  svg.addEventListener("pointerup", (e) => {
    if (start === undefined) return;
    const b = binAt(e);
    // A click on one bar selects it; a click on the selected single bar clears.
    if (b === start) {
      selected = selected && selected[0] === b && selected[1] === b ? undefined : [b, b];
    }
    start = undefined;
    paint();
    onBrush(selected);
  });
  return {
    element,
    show(values, label) {
      counts = countDegrees(values);
      name = label;
      selected = undefined;
      let max = 1;
      for (const c of counts) if (c > max) max = c;
      const w = width / Math.max(1, counts.length);
      svg.replaceChildren();
      bars = Array.from(counts, (c, d) => {
        const bar = document.createElementNS(SVG, "rect");
        const h = ((height - bottom) * c) / max;
        bar.setAttribute("x", String(d * w));
        bar.setAttribute("y", String(height - bottom - h));
        bar.setAttribute("width", String(Math.max(0.5, w - (w > 3 ? 1 : 0))));
        bar.setAttribute("height", String(Math.max(c > 0 ? 1 : 0, h)));
        const title = document.createElementNS(SVG, "title");
        title.textContent = `${label} ${d}: ${c} nodes`;
        bar.append(title);
        return bar;
      });
      svg.append(...bars);
      for (const d of [0, counts.length - 1]) {
        const t = document.createElementNS(SVG, "text");
        t.setAttribute("x", String(d === 0 ? 0 : width));
        t.setAttribute("y", String(height - 2));
        t.setAttribute("text-anchor", d === 0 ? "start" : "end");
        t.textContent = String(d);
        svg.append(t);
      }
      paint();
    },
    select(range) {
      selected = range && [range[0], range[1]];
      paint();
    },
  };
}
