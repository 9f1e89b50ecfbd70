/**
 * The first look at a table: the summary card's numbers and the correlations between numeric columns
 * (Pearson and Spearman, pairwise complete rows) with their p-values, strongest pairs first.
 */

import type { ChartLanguage } from "../charts/i18n.js";
import { correlationHeatmapSvg } from "../charts/stats-charts.js";
import type { Frame, NumericColumn } from "../types.js";
import { type CorrelationResult, pearson, spearman } from "./correlation.js";
import { completePairs } from "./extract.js";
import { type ColumnSummary, summarizeColumns } from "./summary.js";

/** Numeric columns in the heatmap at most (cells stay readable). */
export const MAX_CORRELATION_COLUMNS = 12;
export const STRONGEST_PAIRS = 5;

export interface CorrelationPair {
  a: string;
  b: string;
  n: number;
  pearson: { r: number; pValue: number };
  spearman: { r: number; pValue: number };
}

export interface CorrelationMatrix {
  columns: string[];
  /** Numeric columns left out beyond MAX_CORRELATION_COLUMNS. */
  omitted: number;
  pearson: number[][];
  spearman: number[][];
  /** Every pair once, strongest (largest |Pearson r|) first. */
  pairs: CorrelationPair[];
}

export function correlationMatrix(frame: Frame, maxColumns = MAX_CORRELATION_COLUMNS): CorrelationMatrix {
  const numeric = frame.columns.filter(
    (c): c is NumericColumn => (c.type === "numeric" || c.type === "integer") && "values" in c,
  );
  const chosen = numeric.slice(0, maxColumns);
  const k = chosen.length;
  const pearsonR = square(k);
  const spearmanR = square(k);
  const pairs: CorrelationPair[] = [];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < i; j++) {
      const { x, y } = completePairs(chosen[i].values, chosen[j].values);
      const p = pearson(x, y);
      const s = spearman(x, y);
      pearsonR[i][j] = pearsonR[j][i] = p.r;
      spearmanR[i][j] = spearmanR[j][i] = s.r;
      pairs.push({
        a: chosen[j].name,
        b: chosen[i].name,
        n: x.length,
        pearson: brief(p),
        spearman: brief(s),
      });
    }
  }
  pairs.sort((u, v) => strength(v) - strength(u));
  return {
    columns: chosen.map((c) => c.name),
    omitted: numeric.length - k,
    pearson: pearsonR,
    spearman: spearmanR,
    pairs,
  };
}

export interface StatsOverview {
  summary: ColumnSummary[];
  correlations: Omit<CorrelationMatrix, "pearson" | "spearman" | "pairs"> & { strongest: CorrelationPair[] };
  /** The heatmap (absent with fewer than two numeric columns). */
  heatmapSvg?: string;
}

/** The summary of the first `maxColumns` columns and the correlation heatmap, for one table. */
export function statsOverview(
  frame: Frame,
  opts: { maxColumns?: number; language?: ChartLanguage } = {},
): StatsOverview {
  const m = correlationMatrix(frame);
  return {
    summary: summarizeColumns(frame, opts.maxColumns),
    correlations: { columns: m.columns, omitted: m.omitted, strongest: m.pairs.slice(0, STRONGEST_PAIRS) },
    heatmapSvg:
      m.columns.length >= 2
        ? correlationHeatmapSvg(m.columns, m.pearson, m.spearman, { language: opts.language })
        : undefined,
  };
}

const square = (k: number): number[][] =>
  Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : 0)));
const brief = (c: CorrelationResult) => ({ r: c.r, pValue: c.pValue });
/** |Pearson r|, with undefined correlations (a constant column) last. */
const strength = (p: CorrelationPair) => (Number.isNaN(p.pearson.r) ? -1 : Math.abs(p.pearson.r));
