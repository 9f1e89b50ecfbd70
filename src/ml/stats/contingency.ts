/**
 * The chi-square test of independence on a contingency table (scipy.stats.chi2_contingency: Yates'
 * continuity correction on 2×2 tables) and Cramér's V (scipy.stats.contingency.association, from the
 * uncorrected statistic).
 */
import { sum } from "./descriptive.js";
import { chiSquareUpper } from "./distributions.js";

export interface ChiSquareResult {
  chi2: number;
  df: number;
  pValue: number;
  /** Whether Yates' continuity correction was applied (2×2 tables). */
  yates: boolean;
  cramersV: number;
  /** Counts expected under independence, row by row. */
  expected: number[][];
  /** The smallest expected count, and the share of cells expected below 5 (Cochran's rule). */
  minExpected: number;
  shareExpectedBelow5: number;
}

/** `table[r][c]`: counts; every row and column must have a positive total. */
export function chiSquareIndependence(table: number[][]): ChiSquareResult {
  const rows = table.map((r) => sum(r));
  const cols = table[0].map((_, c) => sum(table.map((r) => r[c])));
  const n = sum(rows);
  const expected = table.map((_, r) => cols.map((_, c) => (rows[r] * cols[c]) / n));
  const df = (table.length - 1) * (cols.length - 1);
  const cells = expected.flat();
  const plain = statistic(table, expected);
  const yates = df === 1;
  const chi2 = df === 0 ? 0 : yates ? statistic(corrected(table, expected), expected) : plain;
  return {
    chi2,
    df,
    pValue: df === 0 ? 1 : chiSquareUpper(chi2, df),
    yates,
    cramersV: Math.sqrt(plain / n / Math.min(table.length - 1, cols.length - 1)),
    expected,
    minExpected: Math.min(...cells),
    shareExpectedBelow5: cells.filter((e) => e < 5).length / cells.length,
  };
}

/** Pearson's X² = Σ (O − E)² / E. */
function statistic(observed: number[][], expected: number[][]): number {
  return sum(observed.flatMap((row, r) => row.map((o, c) => (o - expected[r][c]) ** 2 / expected[r][c])));
}

/** Each count moved up to 0.5 towards its expectation (never past it). */
function corrected(observed: number[][], expected: number[][]): number[][] {
  return observed.map((row, r) =>
    row.map((o, c) => {
      const diff = expected[r][c] - o;
      return o + Math.sign(diff) * Math.min(0.5, Math.abs(diff));
    }),
  );
}
