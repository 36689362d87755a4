import { chunkPlanWidget } from "./chunk-plan/widget.js";
import { memoryTimelineV1Widget } from "./memory-timeline/widget-v1.js";
import { memoryTimelineV2Widget } from "./memory-timeline/widget-v2.js";
import { plotlyWidget } from "./plotly/widget.js";
import { proximityGraphWidget } from "./proximity-graph/widget.js";
import type { WidgetSpec } from "./widget/mount.js";

/**
 * Every widget the hosts render, by MIME type. A new widget adds its spec here and its
 * MIME type to DESIGN's table (docs/architecture.md, "Adding a widget").
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each spec is typed by its own payload
export const WIDGETS: readonly WidgetSpec<any>[] = [
  memoryTimelineV1Widget,
  memoryTimelineV2Widget,
  chunkPlanWidget,
  proximityGraphWidget,
  plotlyWidget,
];
