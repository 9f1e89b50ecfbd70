/**
 * The ML engine's public surface. Everything outside src/ml uses only these functions and the types in
 * types.ts (and, for /stats, src/ml/stats/index.ts: a surface of its own so that prediction bundles do not
 * carry the distribution packages). One engine trains and predicts everywhere: locally, in cloud workers, in
 * Lambda and Serverless.
 */

export { deserializeModel, type ModelOwner, resignModel, serializeModel } from "./artifact/artifact.js";
export {
  type ChartLanguage,
  type ChartSvg,
  chartSvgs,
  confusionMatrixSvg,
  importanceSvg,
  leaderboardSvg,
  learningCurveSvg,
  precisionRecallSvg,
  predictedVsActualSvg,
  type RenderedChart,
  renderCharts,
  residualsSvg,
  rocSvg,
  svgToPng,
} from "./charts/index.js";
export { type DatasetDescription, describeFrame } from "./describe.js";
export { checkDrift, type DriftReport, type FeatureDrift, outsideTrainingDomain } from "./drift/index.js";
export { validateHyperparameters } from "./hyperparameters.js";
export { DEFAULT_LIMITS } from "./io/limits.js";
export { readTable } from "./io/read-table.js";
export { writeCsv } from "./io/write-csv.js";
export { predictFrame } from "./predict.js";
export { profileFrame } from "./profile.js";
export { getModelSpec, MODEL_ALIASES, MODEL_REGISTRY, type ModelSpec, resolveModelId } from "./registry.js";
export { detectTask, suggestSchema } from "./schema.js";
export { type AsyncFit, trainModel, trainModelWith } from "./train.js";
export * from "./types.js";
