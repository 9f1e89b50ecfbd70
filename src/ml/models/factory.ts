/** Model id + task + parsed params → an estimator instance; and the reverse for loading a model file. */
import { TrainingFailedError } from "../../errors.js";
import type { Task } from "../types.js";
import type { Classifier, Regressor } from "./base.js";
import { LinearRegression, Ridge, type RidgeParams } from "./linear.js";
import { type LogisticParams, LogisticRegression } from "./logistic.js";
import { type PolynomialParams, PolynomialRegression } from "./polynomial.js";

// biome-ignore lint/suspicious/noExplicitAny: estimators have different param and fitted shapes
export type AnyRegressor = Regressor<any, any>;
// biome-ignore lint/suspicious/noExplicitAny: estimators have different param and fitted shapes
export type AnyClassifier = Classifier<any, any>;
export type AnyEstimator = AnyRegressor | AnyClassifier;

type Params = Record<string, unknown>;
type Builder = (params: Params) => AnyEstimator;

const REGRESSORS: Record<string, Builder> = {
  linear: () => new LinearRegression({}),
  ridge: (p) => new Ridge(p as unknown as RidgeParams),
  polynomial: (p) => new PolynomialRegression(p as unknown as PolynomialParams),
};

const CLASSIFIERS: Record<string, Builder> = {
  logistic: (p) => new LogisticRegression(p as unknown as LogisticParams),
};

/** A fresh estimator; nClasses is set for classifiers. */
export function createEstimator(id: string, task: Task, params: Params, nClasses = 2): AnyEstimator {
  const build = (task === "regression" ? REGRESSORS : CLASSIFIERS)[id];
  if (!build)
    throw new TrainingFailedError(`The model '${id}' cannot be trained for ${task}.`, {
      modelType: id,
      task,
    });
  const est = build(params);
  if (task === "classification") (est as AnyClassifier).nClasses = nClasses;
  return est;
}

export function supportsTask(id: string, task: Task): boolean {
  return (task === "regression" ? REGRESSORS : CLASSIFIERS)[id] !== undefined;
}

export function isClassifier(est: AnyEstimator, task: Task): est is AnyClassifier {
  return task === "classification";
}
