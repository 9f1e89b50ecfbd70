/**
 * trainModel: frame + spec → fitted model document, held-out metrics, importance and dataset facts.
 * Rows with a missing target are dropped first; the split is seeded (stratified for classification); the
 * preprocessing is fitted on the training rows only.
 */
import { trainAuto } from "./auto/train-auto.js";
import { buildDesign, type Design, fitOn, isTable, predictOn, probaOn } from "./design.js";
import { buildTrainingProfile } from "./drift/profile.js";
import { DataError, InvalidParameterError } from "./errors.js";
import { validateHyperparameters } from "./hyperparameters.js";
import { aggregateByFeature, coefficientScores, permutationImportance } from "./importance.js";
import { quantileSorted } from "./kernels/quantile.js";
import { classificationMetrics } from "./metrics/classification.js";
import { regressionMetrics } from "./metrics/regression.js";
import type { FitContext } from "./models/base.js";
import { type AnyClassifier, type AnyEstimator, createEstimator, supportsTask } from "./models/factory.js";
import { type ForestParams, warmForestWorkers } from "./models/random-forest.js";
import { fitPreprocessing } from "./preprocess/fit.js";
import type { Preprocessing } from "./preprocess/plan.js";
import { profileColumn } from "./profile.js";
import { Random } from "./random.js";
import { AUTO_MODEL, getModelSpec } from "./registry.js";
import { featureNames, findColumn } from "./schema.js";
import { trainTestSplit } from "./split.js";
import { encodeTarget, gather } from "./target.js";
import type {
  Column,
  DatasetFacts,
  FeatureImportance,
  Frame,
  LearningCurve,
  ModelDocument,
  TrainProgress,
  TrainResult,
  TrainSpec,
} from "./types.js";

export const MODEL_FORMAT = "sma-model" as const;
export const MODEL_FORMAT_VERSION = 1;
/** The original refused fewer than 10 rows; below that a held-out score means nothing. */
export const MIN_ROWS = 10;

export function trainModel(
  frame: Frame,
  spec: TrainSpec,
  onProgress?: (p: TrainProgress) => void,
): TrainResult {
  if (getModelSpec(spec.modelType).id === AUTO_MODEL) {
    return trainAuto(frame, spec, onProgress, trainSingle, resolveFeatures);
  }
  return trainSingle(frame, spec, onProgress);
}

/** Trains one model; iterative models stop adding rounds, trees or epochs at `deadline` (performance.now()). */
function trainSingle(
  frame: Frame,
  spec: TrainSpec,
  onProgress?: (p: TrainProgress) => void,
  deadline?: number,
): TrainResult {
  const job = startTraining(frame, spec, onProgress, deadline);
  fitOn(job.est, job.fit.X, job.fit.y, job.fit.ctx);
  return finishTraining(frame, spec, job);
}

/** Fits an estimator some other way than fitOn (the GPU backend); it must leave `est` fitted. */
export type AsyncFit = (est: AnyEstimator, X: Design, y: Float64Array, ctx: FitContext) => Promise<void>;

/**
 * trainModel with the fit done by `fitWith` (e.g. on the GPU): the same split, preprocessing, evaluation and
 * model document, so the artifact does not depend on what fitted it. Auto mode is not handed over.
 */
export async function trainModelWith(
  frame: Frame,
  spec: TrainSpec,
  fitWith: AsyncFit,
  onProgress?: (p: TrainProgress) => void,
): Promise<TrainResult> {
  if (getModelSpec(spec.modelType).id === AUTO_MODEL) return trainModel(frame, spec, onProgress);
  const job = startTraining(frame, spec, onProgress);
  await fitWith(job.est, job.fit.X, job.fit.y, job.fit.ctx);
  return finishTraining(frame, spec, job);
}

type Report = (phase: TrainProgress["phase"], percent: number, message: string) => void;

/**
 * Checks the spec, splits the rows, fits the preprocessing on the training rows and builds the training
 * design and the estimator: everything up to the fit.
 */
function startTraining(
  frame: Frame,
  spec: TrainSpec,
  onProgress?: (p: TrainProgress) => void,
  deadline?: number,
) {
  const started = performance.now();
  const report: Report = (phase, percent, message) =>
    onProgress?.({ phase, percent: Math.round(percent), message });
  report("preparing", 0, "Preparing the data");
  const modelSpec = getModelSpec(spec.modelType);
  if (!supportsTask(modelSpec.id, spec.task)) {
    throw new InvalidParameterError(`${modelSpec.displayName} cannot be used for ${spec.task}.`, {
      modelType: modelSpec.id,
      task: spec.task,
    });
  }
  const params = validateHyperparameters(modelSpec.id, spec.hyperparameters ?? {});
  // The forest's pool workers load their module while the rows are split and the preprocessing fitted
  // (sized by the whole table: the training rows are fewer, the encoded features maybe more).
  if (modelSpec.id === "random_forest") {
    const nClasses = spec.task === "classification" ? 2 : 0;
    const size = { n: frame.nRows, p: frame.columns.length - 1, nClasses, exact: false };
    warmForestWorkers(params as unknown as ForestParams, size);
  }
  const seed = spec.seed ?? 42;
  const { trainRows, testRows, yTrain, yTest, classes, facts } = splitRows(frame, spec, seed);
  const featureCols = resolveFeatures(frame, spec);
  const nClasses = classes?.length ?? 0;
  const pre = fitPreprocessing(featureCols, trainRows, spec.scaling ?? "standard", modelSpec.encoding);
  const est = createEstimator(modelSpec.id, spec.task, params, nClasses);
  report("training", 10, `Training ${modelSpec.displayName}`);
  const ctx: FitContext = {
    rng: new Random(seed + 1),
    onProgress: (f, message) => report("training", 10 + 80 * f, message),
    deadline,
  };
  return {
    started,
    report,
    params,
    seed,
    testRows,
    yTest,
    classes,
    facts,
    pre,
    featureCols,
    est,
    profile: buildTrainingProfile(featureCols, trainRows),
    /** What the fit reads; dropped once it is done, so the training design is garbage before scoring. */
    fit: { X: buildDesign(pre, featureCols, frame.nRows, trainRows), y: yTrain, ctx },
  };
}

/** Scores the fitted estimator on the held-out rows and assembles the model document and the result. */
function finishTraining(frame: Frame, spec: TrainSpec, job: ReturnType<typeof startTraining>): TrainResult {
  const { testRows, yTest, classes, facts, pre, featureCols, est, profile, params, seed, report } = job;
  (job as { fit: unknown }).fit = null;
  const modelSpec = getModelSpec(spec.modelType);
  const nClasses = classes?.length ?? 0;
  const Xtest = buildDesign(pre, featureCols, frame.nRows, testRows);

  report("evaluating", 90, "Scoring on the held-out rows");
  const evaluation = evaluate(est, spec.task, Xtest, yTest, nClasses);
  const names = featureCols.map((c) => c.name);
  const importance = importanceOf(est, spec.task, pre, Xtest, yTest, names, seed);
  const model: ModelDocument = {
    format: MODEL_FORMAT,
    version: MODEL_FORMAT_VERSION,
    modelType: modelSpec.id,
    task: spec.task,
    target: spec.target,
    classes,
    features: pre.features.map((f) => ({
      name: f.name,
      type: f.type,
      ...(f.kind === "categorical" ? { levels: f.levels } : {}),
    })),
    hyperparameters: params,
    preprocessing: pre,
    fitted: est.getFitted(),
    trainingProfile: profile,
  };
  report("evaluating", 100, "Done");
  return {
    model,
    metrics: evaluation.metrics,
    importance,
    facts,
    evaluation: sampleEvaluation(evaluation.arrays, nClasses, seed),
    fitSeconds: (performance.now() - job.started) / 1000,
    ...learningCurveOf(est),
  };
}

/**
 * The seeded split of the rows that have a target, with the dataset facts. Its own function so that the
 * whole-frame target copies are garbage before the fit (they would add to the peak memory of a large fit).
 */
function splitRows(frame: Frame, spec: TrainSpec, seed: number) {
  const target = encodeTarget(findColumn(frame, spec.target), spec.task);
  if (target.rows.length < MIN_ROWS) {
    throw new DataError(
      `At least ${MIN_ROWS} rows with a value in "${spec.target}" are needed; found ${target.rows.length}.`,
    );
  }
  const split = trainTestSplit(
    target.rows.length,
    spec.testSize ?? 0.2,
    seed,
    spec.task === "classification" ? Int32Array.from(target.y) : undefined,
  );
  return {
    trainRows: gatherRows(target.rows, split.train),
    testRows: gatherRows(target.rows, split.test),
    yTrain: gatherShared(target.y, split.train),
    yTest: gather(target.y, split.test),
    classes: target.classes,
    facts: factsOf(target, split.train.length, split.test.length),
  };
}

/** rows[picks[k]] for every k (an Int32Array directly: no float64 copy on the way). */
function gatherRows(rows: Int32Array, picks: Int32Array): Int32Array {
  const out = new Int32Array(picks.length);
  for (let k = 0; k < picks.length; k++) out[k] = rows[picks[k]];
  return out;
}

/**
 * values[picks[k]] for every k, in shared memory: a GBDT fit on worker threads reads the targets there
 * (its gradient units), so it need not keep a shared copy of its own beside these (n × 8 bytes).
 */
function gatherShared(values: Float64Array, picks: Int32Array): Float64Array {
  const out = new Float64Array(new SharedArrayBuffer(8 * picks.length));
  for (let k = 0; k < picks.length; k++) out[k] = values[picks[k]];
  return out;
}

/** The loss per round that boosting models record while fitting. */
function learningCurveOf(est: AnyEstimator): { learningCurve?: LearningCurve } {
  const curve = (est as { learningCurve?: LearningCurve | null }).learningCurve;
  return curve ? { learningCurve: curve } : {};
}

export function resolveFeatures(frame: Frame, spec: TrainSpec): Column[] {
  const requested =
    spec.features.length > 0
      ? spec.features
      : featureNames(
          frame.columns.map((c) => profileColumn(c, frame.nRows)),
          spec.target,
          frame.nRows,
        );
  const names = [...new Set(requested)].filter((n) => n !== spec.target);
  if (names.length === 0) throw new DataError("No feature columns are left to train on.");
  const missing = names.filter((n) => !frame.columns.some((c) => c.name === n));
  if (missing.length > 0) {
    throw new DataError(
      `These feature columns are not in the data: ${missing.map((m) => `"${m}"`).join(", ")}.`,
      { missing },
    );
  }
  return names.map((n) => findColumn(frame, n));
}

function evaluate(est: AnyEstimator, task: TrainSpec["task"], X: Design, y: Float64Array, k: number) {
  if (task === "regression") {
    const pred = predictOn(est, X);
    return { metrics: regressionMetrics(y, pred), arrays: { yTrue: y, yPred: pred } };
  }
  const clf = est as AnyClassifier;
  const proba = probaOn(clf, X);
  const pred = predictOn(clf, X);
  return { metrics: classificationMetrics(y, pred, k, proba), arrays: { yTrue: y, yPred: pred, proba } };
}

/** The held-out truth, predictions and probabilities, as scored (typed arrays until sampled). */
interface EvaluationArrays {
  yTrue: Float64Array;
  yPred: Float64Array;
  proba?: Float64Array;
}

function importanceOf(
  est: AnyEstimator,
  task: TrainSpec["task"],
  pre: Preprocessing,
  Xtest: Design,
  yTest: Float64Array,
  names: string[],
  seed: number,
): FeatureImportance[] {
  const own = ownImportance(est, pre.outputNames.length);
  if (own) return aggregateByFeature(own, pre.outputSource, names);
  if (isTable(Xtest)) return [];
  return permutationImportance(est, task, Xtest, yTest, pre.outputSource, names, seed);
}

/** Coefficients or impurity importances, when the estimator has them for the design columns. */
function ownImportance(est: AnyEstimator, nColumns: number): Float64Array | null {
  const withOwn = est as AnyEstimator & { columnImportance?: () => Float64Array | null };
  if (typeof withOwn.columnImportance === "function") return withOwn.columnImportance();
  const fitted = est.getFitted() as { coef?: unknown };
  if (fitted.coef instanceof Float64Array && fitted.coef.length % nColumns === 0) {
    return coefficientScores(fitted.coef, nColumns);
  }
  return null;
}

/** At most this many held-out rows are kept in a result (for charts); metrics use all of them. */
export const MAX_EVALUATION_ROWS = 5000;

/**
 * A seeded sample of the held-out rows (in their original order) when there are more than the cap, as plain
 * arrays (only the kept rows are converted: a million-row fit holds no full-size copies).
 */
function sampleEvaluation(
  arrays: EvaluationArrays,
  nClasses: number,
  seed: number,
): TrainResult["evaluation"] {
  const n = arrays.yTrue.length;
  if (n <= MAX_EVALUATION_ROWS) {
    const { yTrue, yPred, proba } = arrays;
    return {
      yTrue: Array.from(yTrue),
      yPred: Array.from(yPred),
      ...(proba ? { proba: Array.from(proba) } : {}),
    };
  }
  const keep = new Random(seed + 2).permutation(n).subarray(0, MAX_EVALUATION_ROWS).sort();
  const pick = (a: Float64Array) => Array.from(keep, (i) => a[i]);
  const out: TrainResult["evaluation"] = { yTrue: pick(arrays.yTrue), yPred: pick(arrays.yPred) };
  if (arrays.proba) {
    const k = nClasses;
    const p = arrays.proba;
    out.proba = Array.from(keep).flatMap((i) => Array.from(p.subarray(i * k, i * k + k)));
  }
  return out;
}

function factsOf(target: ReturnType<typeof encodeTarget>, trainRows: number, testRows: number): DatasetFacts {
  const facts: DatasetFacts = {
    rowsUsed: target.rows.length,
    trainRows,
    testRows,
    droppedMissingTarget: target.dropped,
  };
  if (target.classes) {
    const counts = new Array<number>(target.classes.length).fill(0);
    for (const k of target.y) counts[k]++;
    facts.classBalance = target.classes.map((label, k) => ({ label, count: counts[k] }));
  } else {
    const sorted = target.y.slice().sort();
    facts.targetQuartiles = [
      quantileSorted(sorted, 0.25),
      quantileSorted(sorted, 0.5),
      quantileSorted(sorted, 0.75),
    ];
  }
  return facts;
}
