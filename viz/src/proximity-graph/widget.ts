import type { WidgetSpec } from "../widget/mount.js";
import { renderProximityGraph } from "./explorer.js";
import { MIME_PROXIMITY_GRAPH, type ProximityGraphPayload } from "./types.js";
import { validateProximityGraph } from "./validate.js";

/** The proximity-graph explorer (WebGL); live parts (edges of large graphs, neighbourhoods) need the kernel. */
export const proximityGraphWidget: WidgetSpec<ProximityGraphPayload> = {
  mimeType: MIME_PROXIMITY_GRAPH,
  name: "proximity graph",
  validate: validateProximityGraph,
  render: renderProximityGraph,
  liveId: (payload) => payload.live?.id,
};
