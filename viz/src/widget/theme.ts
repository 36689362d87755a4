/**
 * Colours for Canvas and WebGL drawing, read from JupyterLab's theme variables on the
 * element (with light-theme defaults outside JupyterLab), so a widget follows the light and
 * dark themes. Read them again in `redraw`: the variables change with the theme.
 */
export interface ThemeColors {
  background: string;
  foreground: string;
  muted: string;
  grid: string;
  accent: string;
  warn: string;
  error: string;
  font: string;
  dark: boolean;
}

const VARIABLES: Record<Exclude<keyof ThemeColors, "dark">, [string, string]> = {
  background: ["--jp-layout-color0", "#ffffff"],
  foreground: ["--jp-ui-font-color0", "#111111"],
  muted: ["--jp-ui-font-color2", "#757575"],
  grid: ["--jp-border-color2", "#e0e0e0"],
  accent: ["--jp-brand-color1", "#1976d2"],
  warn: ["--jp-warn-color1", "#f57c00"],
  error: ["--jp-error-color1", "#d32f2f"],
  font: ["--jp-ui-font-family", "system-ui, sans-serif"],
};

export function themeColors(element: Element): ThemeColors {
  const style = getComputedStyle(element);
  const read = ([name, fallback]: [string, string]): string =>
    style.getPropertyValue(name).trim() || fallback;
  const colors = Object.fromEntries(
    Object.entries(VARIABLES).map(([key, spec]) => [key, read(spec)]),
  ) as Omit<ThemeColors, "dark">;
  return { ...colors, dark: luminance(colors.background) < 0.5 };
}

/** Relative luminance (0 black … 1 white) of a #rgb/#rrggbb or rgb() colour; 1 if unreadable. */
export function luminance(color: string): number {
  const rgb = parseColor(color);
  if (!rgb) return 1;
  const [r, g, b] = rgb.map((c) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** The red, green and blue (0–255) of a #rgb/#rrggbb or rgb()/rgba() colour; undefined if unreadable. */
export function parseColor(color: string): [number, number, number] | undefined {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(color.trim());
  if (hex) {
    const h = hex[1]!;
    const full = h.length === 3 ? [...h].map((c) => c + c).join("") : h;
    return [0, 2, 4].map((i) => parseInt(full.slice(i, i + 2), 16)) as [number, number, number];
  }
  const rgb = /^rgba?\(\s*(\d+)[\s,]+(\d+)[\s,]+(\d+)/i.exec(color.trim());
  return rgb ? [Number(rgb[1]), Number(rgb[2]), Number(rgb[3])] : undefined;
}
