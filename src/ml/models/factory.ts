/** Model id + task + parsed params → an estimator instance; and the reverse for loading a model file. */
import { TrainingFailedError } from "../errors.js";
import { toHistParams } from "../registry-boosting.js";
import type { Task } from "../types.js";
import type { Classifier, Regressor } from "./base.js";
import { ElasticNet, type ElasticNetParams } from "./coordinate-descent.js";
import { DecisionTreeClassifier, DecisionTreeRegressor, type TreeParams } from "./decision-tree.js";
import {
  type BoostingParams,
  GradientBoostingClassifier,
  GradientBoostingRegressor,
} from "./gradient-boosting.js";
import { HistGradientBoostingClassifier, HistGradientBoostingRegressor } from "./hist-gradient-boosting.js";
import { KNeighborsClassifier, KNeighborsRegressor, type KnnParams } from "./knn.js";
import { LinearRegression, Ridge, type RidgeParams } from "./linear.js";
import { type LogisticParams, LogisticRegression } from "./logistic.js";
import { MLPClassifier, MLPRegressor, type MlpParams } from "./mlp.js";
import { GaussianNB, type NaiveBayesParams } from "./naive-bayes.js";
import { type PolynomialParams, PolynomialRegression } from "./polynomial.js";
import { type ForestParams, RandomForestClassifier, RandomForestRegressor } from "./random-forest.js";
import { SVC, SVR, type SvmParams } from "./svm.js";

// biome-ignore lint/suspicious/noExplicitAny: estimators have different param and fitted shapes
export type AnyRegressor = Regressor<any, any>;
// biome-ignore lint/suspicious/noExplicitAny: estimators have different param and fitted shapes
export type AnyClassifier = Classifier<any, any>;
export type AnyEstimator = AnyRegressor | AnyClassifier;

type Params = Record<string, unknown>;
type Builder = (params: Params) => AnyEstimator;
const as = <T>(p: Params) => p as unknown as T;

/** The four histogram-boosting ids share one engine; each translates its own parameter names. */
function boosting(make: (id: string, p: Params) => AnyEstimator): Record<string, Builder> {
  const ids = ["hist_gradient_boosting", "xgboost", "lightgbm", "catboost"];
  return Object.fromEntries(ids.map((id) => [id, (p: Params) => make(id, p)]));
}

const REGRESSORS: Record<string, Builder> = {
  linear: () => new LinearRegression({}),
  ridge: (p) => new Ridge(as<RidgeParams>(p)),
  lasso: (p) => new ElasticNet({ ...as<ElasticNetParams>(p), l1Ratio: 1 }),
  elasticnet: (p) => new ElasticNet(as<ElasticNetParams>(p)),
  polynomial: (p) => new PolynomialRegression(as<PolynomialParams>(p)),
  decision_tree: (p) => new DecisionTreeRegressor(as<TreeParams>(p)),
  random_forest: (p) => new RandomForestRegressor(as<ForestParams>(p)),
  gradient_boosting: (p) => new GradientBoostingRegressor(as<BoostingParams>(p)),
  svm: (p) => new SVR(as<SvmParams>(p)),
  mlp: (p) => new MLPRegressor(as<MlpParams>(p)),
  knn: (p) => new KNeighborsRegressor(as<KnnParams>(p)),
  ...boosting((id, p) => new HistGradientBoostingRegressor(toHistParams(id, p))),
};

const CLASSIFIERS: Record<string, Builder> = {
  logistic: (p) => new LogisticRegression(as<LogisticParams>(p)),
  decision_tree: (p) => new DecisionTreeClassifier(as<TreeParams>(p)),
  random_forest: (p) => new RandomForestClassifier(as<ForestParams>(p)),
  gradient_boosting: (p) => new GradientBoostingClassifier(as<BoostingParams>(p)),
  svm: (p) => new SVC(as<SvmParams>(p)),
  naive_bayes: (p) => new GaussianNB(as<NaiveBayesParams>(p)),
  mlp: (p) => new MLPClassifier(as<MlpParams>(p)),
  knn: (p) => new KNeighborsClassifier(as<KnnParams>(p)),
  ...boosting((id, p) => new HistGradientBoostingClassifier(toHistParams(id, p))),
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
