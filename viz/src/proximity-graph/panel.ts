/**
 * One graph of the explorer: the WebGL points and edges, a 2-D canvas on top for the few
 * markers (selection, search trace), pan and zoom with the pointer and wheel, hover text
 * and click to select. It holds no state of its own beyond its drawing: the explorer tells
 * it what to draw and gets the user's gestures back.
 */
import { createScene, type Scene } from "./gl.js";
import type { PointGrid } from "./pick.js";
import { panBy, toData, toScreen, zoomAt, type View } from "./view.js";

/** A marker drawn over the points (a few hundred at most). */
export interface Marker {
  x: number;
  y: number;
  shape: "ring" | "dot" | "square" | "cross";
  colour: string;
  size: number;
}

export interface PanelEvents {
  /** The user panned or zoomed: the explorer shares the view with the other panel. */
  view(view: View): void;
  /** Text for the node under the pointer (or undefined for none). */
  hover(node: number): string;
  /** A click (not a drag) on a node, or on empty space (-1). */
  click(node: number): void;
}

export interface Panel {
  readonly element: HTMLElement;
  /** Width and height in CSS pixels (0 before layout). */
  size(): [number, number];
  setColours(rgba: Uint8Array): void;
  setLines(xy: Float32Array, rgba: Uint8Array): void;
  draw(view: View, markers: readonly Marker[], pointSize: number): void;
  /** The view rested: draw the points afresh (a pan or zoom only moved their picture). */
  invalidate(): void;
  dispose(): void;
}

/** Pixels the pointer may move between press and release for a click. */
const CLICK_SLOP = 4;
/** Hover reach around a node, in CSS pixels. */
const HOVER_PX = 8;

export function graphPanel(
  positions: Float32Array,
  grid: PointGrid,
  getView: () => View | undefined,
  events: PanelEvents,
  onResize: () => void,
): Panel {
  const element = document.createElement("div");
  element.className = "tessera-proximity-graph-stage";
  const glCanvas = document.createElement("canvas");
  const overlay = document.createElement("canvas");
  overlay.className = "tessera-proximity-graph-overlay";
  const tip = document.createElement("div");
  tip.className = "tessera-proximity-graph-tooltip";
  tip.setAttribute("role", "tooltip");
  tip.hidden = true;
  element.append(glCanvas, overlay, tip);
  const scene: Scene = createScene(glCanvas);
  scene.setPositions(positions);
  let width = 0;
  let height = 0;
  const resize = new ResizeObserver(() => {
    const box = element.getBoundingClientRect();
    if (box.width === width && box.height === height) return;
    [width, height] = [box.width, box.height];
    onResize();
  });
  resize.observe(element);

  const local = (e: { clientX: number; clientY: number }): [number, number] => {
    const box = element.getBoundingClientRect();
    return [e.clientX - box.left, e.clientY - box.top];
  };
  const nodeAt = (sx: number, sy: number): number => {
    const view = getView();
    if (!view) return -1;
    const [x, y] = toData(view, sx, sy);
    return grid.nearest(x, y, HOVER_PX / view.a);
  };
  let press: { x: number; y: number; moved: boolean; id: number } | undefined;
  overlay.addEventListener("pointerdown", (e) => {
    const [x, y] = local(e);
    press = { x, y, moved: false, id: e.pointerId };
    overlay.setPointerCapture(e.pointerId);
  });
  overlay.addEventListener("pointermove", (e) => {
    const [x, y] = local(e);
    const view = getView();
    if (press && view) {
      if (press.moved || Math.hypot(x - press.x, y - press.y) > CLICK_SLOP) {
        press.moved = true;
        tip.hidden = true;
        events.view(panBy(view, x - press.x, y - press.y));
        [press.x, press.y] = [x, y];
      }
      return;
    }
    const node = nodeAt(x, y);
    if (node < 0) {
      tip.hidden = true;
      delete element.dataset.hover;
      return;
    }
    // User text goes in as text, never as markup.
    tip.textContent = events.hover(node);
    tip.hidden = false;
    element.dataset.hover = String(node);
    const left = Math.min(x + 12, Math.max(0, width - tip.offsetWidth - 4));
    const top = y + 14 + tip.offsetHeight > height ? y - tip.offsetHeight - 8 : y + 14;
    tip.style.transform = `translate(${left}px, ${top}px)`;
  });
  overlay.addEventListener("pointerleave", () => {
    tip.hidden = true;
    delete element.dataset.hover;
  });
  overlay.addEventListener("pointerup", (e) => {
    const p = press;
    press = undefined;
    if (!p || p.moved) return;
    const [x, y] = local(e);
    events.click(nodeAt(x, y));
  });
  overlay.addEventListener(
    "wheel",
    (e) => {
      const view = getView();
      if (!view) return;
      e.preventDefault();
      const [x, y] = local(e);
      events.view(zoomAt(view, Math.exp(-e.deltaY / 500), x, y));
    },
    { passive: false },
  );

  return {
    element,
    size: () => [width, height],
    setColours: (rgba) => scene.setColours(rgba),
    setLines: (xy, rgba) => scene.setLines(xy, rgba),
    draw(view, markers, pointSize) {
      if (width === 0 || height === 0) return;
      const dpr = globalThis.devicePixelRatio || 1;
      scene.draw(view, width, height, dpr, pointSize);
      drawMarkers(overlay, view, markers, width, height, dpr);
    },
    invalidate: () => scene.invalidate(),
    dispose() {
      resize.disconnect();
      scene.dispose();
      element.replaceChildren();
    },
  };
}

function drawMarkers(
  canvas: HTMLCanvasElement,
  view: View,
  markers: readonly Marker[],
  width: number,
  height: number,
  dpr: number,
): void {
  const w = Math.round(width * dpr);
  const h = Math.round(height * dpr);
  if (canvas.width !== w || canvas.height !== h) [canvas.width, canvas.height] = [w, h];
  const ctx = canvas.getContext("2d")!;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.lineWidth = 1.5;
  for (const m of markers) {
    const [x, y] = toScreen(view, m.x, m.y);
    if (x < -20 || y < -20 || x > width + 20 || y > height + 20) continue;
    const r = m.size;
    ctx.strokeStyle = ctx.fillStyle = m.colour;
    ctx.beginPath();
    switch (m.shape) {
      case "ring":
        ctx.arc(x, y, r, 0, 2 * Math.PI);
        ctx.stroke();
        break;
      case "dot":
        ctx.arc(x, y, r, 0, 2 * Math.PI);
        ctx.fill();
        break;
      case "square":
        ctx.strokeRect(x - r, y - r, 2 * r, 2 * r);
        break;
      case "cross":
        ctx.lineWidth = 2.5;
        ctx.moveTo(x - r, y);
        ctx.lineTo(x + r, y);
        ctx.moveTo(x, y - r);
        ctx.lineTo(x, y + r);
        ctx.stroke();
        ctx.lineWidth = 1.5;
        break;
    }
  }
}
