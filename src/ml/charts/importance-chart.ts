/** Feature importance: the top 15 features as horizontal bars, largest first, with the value at the bar's end. */
import type { FeatureImportance } from "../types.js";
import { type ChartLanguage, chartText, formatNumber } from "./i18n.js";
import { COLOR, clip, el, FONT, line, linearScale, svgDocument, text, WIDTH } from "./svg.js";

export const IMPORTANCE_TOP = 15;
const ROW = 62;
const LABEL_WIDTH = 400;

export interface ChartOptions {
  language?: ChartLanguage;
  /** Overrides the default title. */
  title?: string;
}

/** Bars from zero: negative values (a permutation importance below chance) go left of the zero line. */
export function importanceSvg(items: FeatureImportance[], opts: ChartOptions = {}): string {
  const t = chartText(opts.language);
  const top = [...items]
    .filter((i) => Number.isFinite(i.importance))
    .sort((a, b) => b.importance - a.importance)
    .slice(0, IMPORTANCE_TOP);
  const lo = Math.min(0, ...top.map((i) => i.importance));
  const hi = Math.max(0, ...top.map((i) => i.importance));
  const plotLeft = LABEL_WIDTH + 20;
  const plotRight = WIDTH - 150;
  const sx = linearScale(lo, hi > lo ? hi : lo + 1, plotLeft, plotRight);
  const x0 = sx(0);
  const y0 = 120;
  const body: string[] = [];
  top.forEach((item, k) => {
    const y = y0 + k * ROW;
    const x = sx(item.importance);
    body.push(
      el("rect", {
        class: "bar",
        "data-feature": item.feature,
        "data-value": item.importance,
        x: Math.min(x, x0),
        y: y + 8,
        width: Math.abs(x - x0),
        height: ROW - 16,
        fill: item.importance >= 0 ? COLOR.primary : COLOR.secondary,
        rx: 4,
      }),
    );
    body.push(
      text(LABEL_WIDTH, y + ROW / 2 + 10, clip(item.feature, 24), { size: FONT.label, anchor: "end" }),
    );
    body.push(
      text(Math.max(x, x0) + 12, y + ROW / 2 + 10, formatNumber(item.importance, opts.language), {
        fill: COLOR.muted,
      }),
    );
  });
  const bottom = y0 + Math.max(1, top.length) * ROW;
  body.push(line(x0, y0, x0, bottom, COLOR.axis, { class: "axis" }));
  body.push(
    text((plotLeft + plotRight) / 2, bottom + 56, t.importanceAxis, { size: FONT.label, anchor: "middle" }),
  );
  return svgDocument(bottom + 90, opts.title ?? t.importance, body, "importance");
}
