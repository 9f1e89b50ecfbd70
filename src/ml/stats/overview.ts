/**
 * The first look at a table: the summary card's numbers and the correlations between numeric columns
 * (Pearson and Spearman, pairwise complete rows) with their p-values, strongest pairs first. Above
 * MAX_CORRELATION_ROWS rows the correlations use a seeded sample of that many rows (and say so): an overview
 * of a million rows should take seconds, and its p-values would all be zero anyway. Tests use every row.
 */

import type { ChartLanguage } from "../charts/i18n.js";
import { correlationHeatmapSvg } from "../charts/stats-charts.js";
import { Random } from "../random.js";
import type { Frame, NumericColumn } from "../types.js";
import { type CorrelationResult, pearson, spearman, spearmanOfRanks } from "./correlation.js";
import { rankAverage } from "./descriptive.js";
import { completePairs } from "./extract.js";
import { type ColumnSummary, summarizeColumns } from "./summary.js";

/** Numeric columns in the heatmap at most (cells stay readable). */
export const MAX_CORRELATION_COLUMNS = 12;
export const STRONGEST_PAIRS = 5;
export const MAX_CORRELATION_ROWS = 100_000;

export interface CorrelationPair {
  a: string;
  b: string;
  n: number;
  pearson: { r: number; pValue: number };
  spearman: { r: number; pValue: number };
}

export interface CorrelationMatrix {
  columns: string[];
  /** Rows the correlations were computed on, when a sample of a larger table. */
  sampledRows?: number;
  /** Numeric columns left out beyond MAX_CORRELATION_COLUMNS. */
  omitted: number;
  pearson: number[][];
  spearman: number[][];
  /** Every pair once, strongest (largest |Pearson r|) first. */
  pairs: CorrelationPair[];
}

export function correlationMatrix(
  frame: Frame,
  maxColumns = MAX_CORRELATION_COLUMNS,
  maxRows = MAX_CORRELATION_ROWS,
): CorrelationMatrix {
  const numeric = frame.columns.filter(
    (c): c is NumericColumn => (c.type === "numeric" || c.type === "integer") && "values" in c,
  );
  const sample =
    frame.nRows > maxRows
      ? new Random(SAMPLE_SEED).permutation(frame.nRows).subarray(0, maxRows).sort()
      : undefined;
  const chosen = numeric
    .slice(0, maxColumns)
    .map((c) => (sample ? { ...c, values: Float64Array.from(sample, (i) => c.values[i]) } : c));
  const k = chosen.length;
  const pearsonR = square(k);
  const spearmanR = square(k);
  const pairs: CorrelationPair[] = [];
  // Columns without missing values are ranked once; a pair with gaps ranks its complete rows.
  const ranks = chosen.map((c) => (c.values.some(Number.isNaN) ? undefined : rankAverage(c.values).ranks));
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < i; j++) {
      const { x, y } = completePairs(chosen[i].values, chosen[j].values);
      const p = pearson(x, y);
      const [ri, rj] = [ranks[i], ranks[j]];
      const s = ri && rj ? spearmanOfRanks(ri, rj) : spearman(x, y);
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
    ...(sample ? { sampledRows: sample.length } : {}),
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
    correlations: {
      columns: m.columns,
      omitted: m.omitted,
      ...(m.sampledRows ? { sampledRows: m.sampledRows } : {}),
      strongest: m.pairs.slice(0, STRONGEST_PAIRS),
    },
    heatmapSvg:
      m.columns.length >= 2
        ? correlationHeatmapSvg(m.columns, m.pearson, m.spearman, { language: opts.language })
        : undefined,
  };
}

const SAMPLE_SEED = 14;
const square = (k: number): number[][] =>
  Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => (i === j ? 1 : 0)));
const brief = (c: CorrelationResult) => ({ r: c.r, pValue: c.pValue });
/** |Pearson r|, with undefined correlations (a constant column) last. */
const strength = (p: CorrelationPair) => (Number.isNaN(p.pearson.r) ? -1 : Math.abs(p.pearson.r));
