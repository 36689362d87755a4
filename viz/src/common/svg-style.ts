/** The static SVG pictures' light look, shared so the kernel's fallback images match. */
export const INK = "#222";
export const MUTED = "#666";
export const GRID = "#e6e6e6";
/** A memory budget's line. */
export const BUDGET = "#c0392b";
export const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif";
