/**
 * Tessera's JupyterLab 4 extension: renders Tessera's MIME types (DESIGN.md, the MIME
 * contract) with viz's widgets. Each notebook's rendermime gets factories bound to the
 * notebook's session, so live widgets reach their kernel over comms; the application's
 * rendermime gets kernel-less ones (consoles of other kinds, file viewers), where widgets
 * render from their payload and say that live controls need the kernel.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from "@jupyterlab/application";
import { IThemeManager, type ISessionContext } from "@jupyterlab/apputils";
import type { NotebookPanel } from "@jupyterlab/notebook";
import { IRenderMimeRegistry } from "@jupyterlab/rendermime";
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { WIDGETS } from "@tessera/viz/dom";
import { TesseraRenderer } from "./renderer.js";

/**
 * Below text/html (50) and image/svg+xml (80): the kernel sends both as fallbacks beside
 * the JSON, and with this extension installed the JSON is the one to show.
 */
const RANK = 40;

/** Live renderers, so a theme change redraws them. */
const rendered = new Set<TesseraRenderer>();

function factories(session: ISessionContext | undefined): IRenderMime.IRendererFactory[] {
  return WIDGETS.map((spec) => ({
    // Safe: renderers insert user text as text and draw nothing else they are sent.
    safe: true,
    mimeTypes: [spec.mimeType],
    defaultRank: RANK,
    createRenderer: (options) => {
      const renderer = new TesseraRenderer(spec, options.mimeType, session);
      rendered.add(renderer);
      renderer.disposed.connect(() => rendered.delete(renderer));
      return renderer;
    },
  }));
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: "@tessera/jupyterlab:widgets",
  description: "Renders Tessera's memory timelines, chunk plans and proximity graphs.",
  autoStart: true,
  requires: [IRenderMimeRegistry],
  optional: [IThemeManager],
  activate: (
    app: JupyterFrontEnd,
    rendermime: IRenderMimeRegistry,
    themes: IThemeManager | null,
  ) => {
    for (const factory of factories(undefined)) rendermime.addFactory(factory, RANK);
    // Called as each notebook is created, before its outputs render.
    app.docRegistry.addWidgetExtension("Notebook", {
      createNew: (panel: NotebookPanel) => {
        for (const factory of factories(panel.sessionContext)) {
          panel.content.rendermime.addFactory(factory, RANK);
        }
      },
    });
    themes?.themeChanged.connect(() => {
      // The new theme's CSS variables apply on the next frame.
      requestAnimationFrame(() => rendered.forEach((r) => r.redraw()));
    });
  },
};

export default plugin;
