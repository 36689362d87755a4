/**
 * A JupyterLab MIME renderer for one Tessera widget: a Lumino widget hosting viz's renderer.
 * It validates the payload (an invalid one shows the error box), connects the payload's
 * live id to the kernel when the output sits in a notebook with a session, and redraws on
 * theme changes. Resizing is the renderer's own business (it observes its element).
 */
import type { ISessionContext } from "@jupyterlab/apputils";
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { Widget } from "@lumino/widgets";
import {
  mountWidget,
  type WidgetHandle,
  type WidgetOptions,
  type WidgetSpec,
} from "@tessera/viz/dom";
import { CommLiveChannel } from "./live-channel.js";

/** The class on every Tessera output node, plus one per widget (`jp-Tessera-<name>`). */
export const RENDERER_CLASS = "jp-TesseraWidget";

export class TesseraRenderer extends Widget implements IRenderMime.IRenderer {
  #handle: WidgetHandle<unknown> | undefined;
  #channel: CommLiveChannel | undefined;
  #liveId: string | undefined;

  constructor(
    private readonly spec: WidgetSpec<unknown>,
    private readonly mimeType: string,
    private readonly session: ISessionContext | undefined,
  ) {
    super();
    this.addClass(RENDERER_CLASS);
    this.addClass(`jp-Tessera-${spec.name.replace(/\W+/g, "-")}`);
  }

  /** Called again with update_display_data: the widget updates in place. */
  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const data = model.data[this.mimeType];
    if (data === undefined) return;
    if (this.#handle) this.#handle.update(data);
    else this.#handle = mountWidget(this.node, this.spec, data, (p) => this.#optionsFor(p));
  }

  /** The live channel of the kernel object `payload` names, kept while the name stays. */
  #optionsFor(payload: unknown): WidgetOptions {
    const liveId = this.spec.liveId?.(payload);
    if (liveId !== this.#liveId) {
      this.#channel?.dispose();
      this.#channel =
        liveId !== undefined && this.session
          ? new CommLiveChannel(this.session, liveId)
          : undefined;
      this.#liveId = liveId;
    }
    return this.#channel ? { live: this.#channel } : {};
  }

  /** The theme changed: canvas and WebGL widgets read their colours again. */
  redraw(): void {
    this.#handle?.redraw();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.#handle?.dispose();
    this.#channel?.dispose();
    super.dispose();
  }
}
