/**
 * Statistics for /stats: pure functions from a loaded table (Frame) or plain arrays to JSON results. A separate
 * public surface from src/ml/index.ts, so prediction bundles do not carry the distribution packages.
 */
export {
  type AnovaResult,
  type FTestResult,
  type KruskalResult,
  kruskalWallis,
  levene,
  oneWayAnova,
  welchAnova,
} from "./anova.js";
export type { AssumptionCheck, AssumptionId, Magnitude, Remedy } from "./assumptions.js";
export {
  type ColumnKind,
  type ColumnRole,
  fitsKind,
  isStatsTest,
  MAX_GROUPS,
  type RoleName,
  STATS_TESTS,
  type StatsTestId,
  TEST_ROLES,
} from "./catalog.js";
export { reportChartSvg } from "./charts.js";
export { type ChiSquareResult, chiSquareIndependence } from "./contingency.js";
export { type CorrelationResult, pearson, spearman } from "./correlation.js";
export { DAGOSTINO_MIN_SIZE, type DagostinoResult, dagostinoPearson } from "./dagostino.js";
export { type MannWhitneyResult, mannWhitneyU } from "./mann-whitney.js";
export {
  type CorrelationMatrix,
  type CorrelationPair,
  correlationMatrix,
  type StatsOverview,
  statsOverview,
} from "./overview.js";
export { linearRegression, type RegressionResult } from "./regression.js";
export {
  type GroupStats,
  runStatsTest,
  type StatsOutcome,
  type StatsProblem,
  type StatsReport,
} from "./report.js";
export { type ShapiroWilkResult, shapiroWilk } from "./shapiro-wilk.js";
export { type ColumnSummary, describeNumbers, type NumberSummary, summarizeColumns } from "./summary.js";
export { pairedTTest, type TTestResult, welchTTest } from "./ttest.js";
