/**
 * JupyterLab 4 MIME renderers for Tessera's payloads (DESIGN.md, the MIME contract).
 * viz/ draws; this file only wires its output into JupyterLab's output area.
 */
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { Widget } from "@lumino/widgets";
import { MIME_MEMORY_TIMELINE, memoryTimelineSvg, validateMemoryTimeline } from "@tessera/viz";

/** The class of a memory timeline's output node. */
const CLASS_NAME = "jp-TesseraMemoryTimeline";

/** The class of the message shown instead of a payload that breaks the contract. */
const ERROR_CLASS = "jp-TesseraMemoryTimeline-error";

/**
 * Below text/html (50) and image/svg+xml (80): the kernel sends both as fallbacks beside
 * the JSON, and with this extension installed the JSON is the one to show.
 */
const RANK = 40;

/**
 * Shows `application/vnd.tessera.memory-timeline.v1+json` as the SVG viz draws, with a
 * native tooltip per allocation band; a payload that breaks the contract shows its
 * problems instead. The SVG scales to the output width (CSS), so resizing needs no redraw.
 */
export class MemoryTimelineRenderer extends Widget implements IRenderMime.IRenderer {
  readonly #mimeType: string;

  constructor(options: IRenderMime.IRendererOptions) {
    super();
    this.#mimeType = options.mimeType;
    this.addClass(CLASS_NAME);
  }

  /**
   * Replaces whatever the node showed, so calling it again (update_display_data reuses
   * the renderer) leaves exactly one picture.
   */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[this.#mimeType];
    if (data === undefined) return;
    const result = validateMemoryTimeline(data);
    if (!result.ok) {
      this.node.replaceChildren(errorView(result.errors));
      return;
    }
    try {
      // Safe as markup: viz escapes every text it writes and draws nothing else it is sent.
      this.node.innerHTML = memoryTimelineSvg(result.value);
    } catch (error) {
      this.node.replaceChildren(errorView([String(error)]));
    }
  }
}

/** Creates a renderer per output. `safe`: the markup is generated and escaped by viz, so untrusted outputs render too. */
export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [MIME_MEMORY_TIMELINE],
  defaultRank: RANK,
  createRenderer: (options) => new MemoryTimelineRenderer(options),
};

const extension: IRenderMime.IExtension = {
  id: "@tessera/jupyterlab:memory-timeline",
  description:
    "Renders Tessera memory timelines: allocations stacked over events, peak and prediction marked.",
  rendererFactory,
  rank: RANK,
  dataType: "json",
};

export default extension;

/** The problems of an invalid payload, as text (never markup: they quote the payload). */
function errorView(errors: readonly string[]): HTMLElement {
  const view = document.createElement("div");
  view.className = ERROR_CLASS;
  view.setAttribute("role", "alert");
  const heading = document.createElement("p");
  heading.textContent = `Cannot show this memory timeline: the payload does not match ${MIME_MEMORY_TIMELINE}.`;
  const list = document.createElement("ul");
  for (const error of errors) {
    const item = document.createElement("li");
    item.textContent = error;
    list.append(item);
  }
  view.append(heading, list);
  return view;
}
