/**
 * predictFrame: a model document + new data → predictions. The input schema is checked first (by name, case-
 * and whitespace-insensitive, and by type), then the stored preprocessing and estimator are applied. An
 * ensemble applies each member's own preprocessing and estimator and blends their outputs.
 */
import { ensembleMembers, isEnsemble } from "./artifact/ensemble.js";
import { buildDesign, predictOn, probaOn } from "./design.js";
import { ModelError } from "./errors.js";
import { type AnyClassifier, type AnyEstimator, createEstimator } from "./models/factory.js";
import type { Preprocessing } from "./preprocess/plan.js";
import type { Column, Frame, ModelDocument, PredictResult } from "./types.js";
import { checkSchema } from "./validation.js";

export function predictFrame(
  model: ModelDocument,
  frame: Frame,
  opts: { probabilities?: boolean; featureColumns?: string[] } = {},
): PredictResult {
  const { columns, report } = checkSchema(model.features, frame, opts.featureColumns);
  const out = modelOutput(model, columns, frame.nRows, { probabilities: opts.probabilities });
  if (model.task === "regression") return { predictions: Array.from(out.predictions), schema: report };
  const classes = model.classes ?? [];
  const labels = Array.from(out.predictions, (k) => classes[k]);
  const result: PredictResult = { predictions: labels, classes, schema: report };
  if (out.proba) {
    const proba = out.proba;
    const k = classes.length;
    result.probabilities = Array.from({ length: frame.nRows }, (_, i) =>
      Array.from(proba.subarray(i * k, i * k + k)),
    );
  }
  return result;
}

/** A model's output for rows: predictions (regression) or class indices, with probabilities when asked. */
export interface ModelOutput {
  predictions: Float64Array;
  /** Classification: nClasses per row, row-major. */
  proba?: Float64Array;
}

/** The model's output for `rows` of the (schema-checked) feature columns, or for all rows. */
export function modelOutput(
  model: ModelDocument,
  columns: Column[],
  nRows: number,
  opts: { rows?: Int32Array; probabilities?: boolean } = {},
): ModelOutput {
  if (isEnsemble(model)) return blendOutput(model, columns, nRows, opts.rows);
  const X = buildDesign(model.preprocessing as Preprocessing, columns, nRows, opts.rows);
  const est = restoreEstimator(model);
  const predictions = predictOn(est, X);
  if (model.task === "regression" || !opts.probabilities) return { predictions };
  return { predictions, proba: probaOn(est as AnyClassifier, X) };
}

/**
 * The weighted mean of the members' predictions (regression) or class probabilities (classification; the
 * class is the most probable one, the first on a tie).
 */
function blendOutput(model: ModelDocument, columns: Column[], nRows: number, rows?: Int32Array): ModelOutput {
  let blend: Float64Array | null = null;
  for (const { weight, model: member } of ensembleMembers(model)) {
    const X = buildDesign(member.preprocessing as Preprocessing, columns, nRows, rows);
    const est = restoreEstimator(member);
    const out = model.task === "regression" ? predictOn(est, X) : probaOn(est as AnyClassifier, X);
    blend ??= new Float64Array(out.length);
    for (let i = 0; i < out.length; i++) blend[i] += weight * out[i];
  }
  const values = blend as Float64Array;
  if (model.task === "regression") return { predictions: values };
  return { predictions: argmaxRows(values, model.classes?.length ?? 0), proba: values };
}

/** The index of the largest value in each row of k (the first on a tie). */
export function argmaxRows(values: Float64Array, k: number): Float64Array {
  const out = new Float64Array(values.length / k);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (values[i * k + c] > values[i * k + best]) best = c;
    out[i] = best;
  }
  return out;
}

/** Rebuilds the estimator of a model document from its params and fitted state (no code runs). */
export function restoreEstimator(model: ModelDocument): AnyEstimator {
  if (model.fitted === null || typeof model.fitted !== "object") {
    throw new ModelError("The model file has no fitted parameters.");
  }
  const est = createEstimator(model.modelType, model.task, model.hyperparameters, model.classes?.length ?? 0);
  return est.load(model.fitted);
}
