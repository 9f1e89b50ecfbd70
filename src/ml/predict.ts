/**
 * predictFrame: a model document + new data → predictions. The input schema is checked first (by name, case-
 * and whitespace-insensitive, and by type), then the stored preprocessing and estimator are applied.
 */
import { buildDesign, predictOn, probaOn } from "./design.js";
import { ModelError } from "./errors.js";
import { type AnyClassifier, type AnyEstimator, createEstimator } from "./models/factory.js";
import type { Preprocessing } from "./preprocess/plan.js";
import type { Frame, ModelDocument, PredictResult } from "./types.js";
import { checkSchema } from "./validation.js";

export function predictFrame(
  model: ModelDocument,
  frame: Frame,
  opts: { probabilities?: boolean; featureColumns?: string[] } = {},
): PredictResult {
  const { columns, report } = checkSchema(model.features, frame, opts.featureColumns);
  const X = buildDesign(model.preprocessing as Preprocessing, columns, frame.nRows);
  const est = restoreEstimator(model);
  if (model.task === "regression") {
    return { predictions: Array.from(predictOn(est, X)), schema: report };
  }
  const classes = model.classes ?? [];
  const clf = est as AnyClassifier;
  const labels = Array.from(predictOn(clf, X), (k) => classes[k]);
  const result: PredictResult = { predictions: labels, classes, schema: report };
  if (opts.probabilities) {
    const proba = probaOn(clf, X);
    const k = classes.length;
    result.probabilities = Array.from({ length: frame.nRows }, (_, i) =>
      Array.from(proba.subarray(i * k, i * k + k)),
    );
  }
  return result;
}

/** Rebuilds the estimator of a model document from its params and fitted state (no code runs). */
export function restoreEstimator(model: ModelDocument): AnyEstimator {
  if (model.fitted === null || typeof model.fitted !== "object") {
    throw new ModelError("The model file has no fitted parameters.");
  }
  const est = createEstimator(model.modelType, model.task, model.hyperparameters, model.classes?.length ?? 0);
  return est.load(model.fitted);
}
