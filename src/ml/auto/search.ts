/**
 * The auto-mode search: k-fold cross-validation of every candidate under a time budget, with successive
 * halving over folds (all candidates on one fold, the better half on three, the better half of those on
 * all k), so most of the budget goes to promising candidates. Before each fit the expected time of that
 * fit and of the final refit (of the best few, when an ensemble of them may win) must still fit in the budget;
 * iterative models also get a deadline. Each candidate's out-of-fold predictions of the first repeat are kept
 * for the ensemble (ensemble.ts).
 */
import { type Design, fitOn, isTable, predictOn, probaOn } from "../design.js";
import { validateHyperparameters } from "../hyperparameters.js";
import { takeRows } from "../matrix.js";
import { r2Score } from "../metrics/regression.js";
import { accuracyOf } from "../metrics/simple.js";
import { type AnyClassifier, type AnyEstimator, createEstimator } from "../models/factory.js";
import { selectRows } from "../models/hist/columns.js";
import { Random } from "../random.js";
import { getModelSpec } from "../registry.js";
import { gather } from "../target.js";
import type { LeaderboardEntry, Task } from "../types.js";
import type { Candidate } from "./candidates.js";
import { MEMBERS } from "./ensemble.js";
import type { Fold } from "./folds.js";

export interface SearchData {
  task: Task;
  nClasses: number;
  /** Targets of the cross-validated rows. */
  y: Float64Array;
  /** The rows in each encoding (only the encodings some candidate uses). */
  onehot: Design | null;
  native: Design | null;
  /** The k folds of repeat r (a fresh shuffle per repeat). */
  folds: (repeat: number) => Fold[];
  /** Repeats of k-fold cross-validation the top candidates may get when the budget allows. */
  maxRepeats: number;
  /** Whether to keep each candidate's out-of-fold predictions of the first repeat (for the ensemble). */
  keepOutOfFold: boolean;
}

/**
 * A candidate's predictions for every cross-validated row from the fold that held the row out (first repeat):
 * class probabilities (row-major, nClasses per row) and predicted classes, or the predicted values.
 */
export interface OutOfFold {
  entry: LeaderboardEntry;
  /** Regression: predictions. Classification: probabilities, nClasses per row. */
  values: Float64Array;
  /** Classification: the predicted class of each row (as the candidate's own predict gives it). */
  labels?: Float64Array;
  /** Expected seconds to refit it on all training rows (with its importance). */
  refitSeconds: number;
}

export interface SearchResult {
  entries: LeaderboardEntry[];
  /** Candidates scored on every fold of the first repeat, when SearchData.keepOutOfFold. */
  outOfFold: OutOfFold[];
}

export interface SearchOptions {
  /** performance.now() when auto mode started. */
  start: number;
  budgetMs: number;
  seed: number;
  /** Rows the final refit trains on, and features, for its time estimate. */
  refitRows: number;
  onCandidate?: (entry: LeaderboardEntry, elapsedMs: number) => void;
}

interface Trial {
  candidate: Candidate;
  params: Record<string, unknown>;
  scores: number[];
  fitSeconds: number[];
  predictSeconds: number[];
  status: LeaderboardEntry["status"];
  /** Out-of-fold values and labels of the first repeat, filled fold by fold (keepOutOfFold). */
  oof: { values: Float64Array; labels?: Float64Array } | null;
}

export function runSearch(candidates: Candidate[], data: SearchData, opts: SearchOptions): SearchResult {
  const first = data.folds(0);
  const k = first.length;
  const trials: Trial[] = candidates.map((candidate) => ({
    candidate,
    params: validateHyperparameters(candidate.modelType, candidate.hyperparameters),
    scores: [],
    fitSeconds: [],
    predictSeconds: [],
    status: "complete",
    oof: data.keepOutOfFold ? newOutOfFold(data) : null,
  }));
  const foldsOf: Fold[][] = [first];
  const fold = (index: number) => {
    const r = Math.floor(index / k);
    foldsOf[r] ??= data.folds(r);
    return foldsOf[r][index % k];
  };
  const runTo = (t: Trial, target: number) => {
    while (t.status === "complete" && t.scores.length < target) {
      const allowedMs = allowance(t, trials, data, opts);
      if (allowedMs <= 0) {
        t.status = "out_of_time";
        return;
      }
      evaluate(t, data, opts, fold(t.scores.length), performance.now() + allowedMs, t.scores.length < k);
      opts.onCandidate?.(entryOf(t, data.task), performance.now() - opts.start);
    }
  };
  let alive = trials;
  for (const rung of [...new Set([1, Math.min(3, k), k])]) {
    for (const t of alive) runTo(t, rung);
    alive = ranked(alive.filter((t) => t.status === "complete" && t.scores.length > 0));
    if (rung === k) break;
    // Halve only when running everyone to the end would not fit in the budget.
    if (fits(alive, k, trials, data, opts)) continue;
    const keep = Math.max(rung === 1 ? 3 : 2, Math.ceil(alive.length / 2));
    for (const t of alive.slice(keep)) t.status = "pruned";
    alive = alive.slice(0, keep);
  }
  // Time left: repeat the cross-validation with new shuffles for the leaders, so noise decides less.
  for (let repeat = 1; repeat < data.maxRepeats; repeat++) {
    const leaders = ranked(alive.filter((t) => t.status === "complete")).slice(0, TOP_REPEATED);
    if (leaders.length < 2 || !fits(leaders, (repeat + 1) * k, trials, data, opts)) break;
    for (const t of leaders) runTo(t, (repeat + 1) * k);
    alive = leaders;
  }
  const scored = trials.filter((t) => t.scores.length > 0);
  const entries = scored.map((t) => entryOf(t, data.task));
  const outOfFold = scored.flatMap((t, i) =>
    t.oof && t.scores.length >= k
      ? [{ entry: entries[i], ...t.oof, refitSeconds: refitMs(t, data, opts) / 1000 }]
      : [],
  );
  return { entries, outOfFold };
}

function newOutOfFold(data: SearchData): Trial["oof"] {
  const n = data.y.length;
  if (data.task === "regression") return { values: new Float64Array(n) };
  return { values: new Float64Array(n * data.nClasses), labels: new Float64Array(n) };
}

/** Candidates that get repeated cross-validation when there is time. */
const TOP_REPEATED = 5;

function ranked(trials: Trial[]): Trial[] {
  return [...trials].sort((a, b) => mean(b.scores) - mean(a.scores));
}

/** Whether running every trial in `group` to `target` folds (at its measured pace) fits in the budget. */
function fits(
  group: Trial[],
  target: number,
  trials: Trial[],
  data: SearchData,
  opts: SearchOptions,
): boolean {
  let needed = 0;
  for (const t of group) {
    needed += (target - t.scores.length) * (mean(t.fitSeconds) + mean(t.predictSeconds)) * 1000;
  }
  const reserve = reserveMs(group, trials, data, opts);
  return performance.now() - opts.start + needed + reserve + REFIT_MARGIN_MS <= opts.budgetMs;
}

/**
 * Milliseconds t's next fold may take: what is left after keeping time for the refit of the best candidate
 * so far (or of t itself, if it might win); 0 or less when its expected time no longer fits.
 */
function allowance(t: Trial, trials: Trial[], data: SearchData, opts: SearchOptions): number {
  const left = opts.budgetMs - (performance.now() - opts.start);
  const expected = t.fitSeconds.length > 0 ? (mean(t.fitSeconds) + mean(t.predictSeconds)) * 1000 : 0;
  const reserve = reserveMs([t], trials, data, opts);
  const allowed = left - reserve - REFIT_MARGIN_MS;
  return allowed >= expected ? allowed : 0;
}

/**
 * Time kept for the final refit: of the best candidate so far, or of the best few when an ensemble of them may
 * win; at least enough for any of `group` (which might win) beside the others.
 */
function reserveMs(group: Trial[], trials: Trial[], data: SearchData, opts: SearchOptions): number {
  const count = data.keepOutOfFold ? MEMBERS : 1;
  const top = ranked(trials.filter((x) => x.scores.length > 0))
    .slice(0, count)
    .map((x) => refitMs(x, data, opts));
  const sum = (a: number[]) => a.reduce((s, v) => s + v, 0);
  const own = Math.max(0, ...group.map((t) => refitMs(t, data, opts)));
  return Math.max(sum(top), own + sum(top.slice(0, count - 1)));
}

/** Kept free at the end for preparing the refit, metrics and the model document. */
const REFIT_MARGIN_MS = 200;

/** Expected time to refit on all training rows, score the held-out rows and compute importance. */
function refitMs(t: Trial, data: SearchData, opts: SearchOptions): number {
  if (t.fitSeconds.length === 0) return 0;
  const foldRows = data.folds(0)[0].train.length;
  const scale = opts.refitRows / Math.max(1, foldRows);
  // Models without their own importance are permuted: about 5 repeats per feature of a prediction.
  const own = ["linear", "ridge", "lasso", "elasticnet", "logistic", "decision_tree", "random_forest"];
  const tree = getModelSpec(t.candidate.modelType).encoding === "native";
  const permutation = own.includes(t.candidate.modelType) || tree ? 0 : 5 * featuresOf(data);
  return 1000 * (1.3 * scale * mean(t.fitSeconds) + (2 + permutation) * mean(t.predictSeconds));
}

function featuresOf(data: SearchData): number {
  const d = data.onehot ?? data.native;
  if (!d) return 1;
  return isTable(d) ? d.columns.length : d.cols;
}

function evaluate(
  t: Trial,
  data: SearchData,
  opts: SearchOptions,
  fold: Fold,
  deadline: number,
  firstRepeat: boolean,
): void {
  const spec = getModelSpec(t.candidate.modelType);
  const design = (spec.encoding === "native" ? data.native : data.onehot) as Design;
  const rows = (idx: Int32Array): Design =>
    isTable(design) ? selectRows(design, idx) : takeRows(design, idx);
  const est = createEstimator(spec.id, data.task, t.params, data.nClasses);
  const yTrain = gather(data.y, fold.train);
  const started = performance.now();
  fitOn(est, rows(fold.train), yTrain, {
    rng: new Random(opts.seed + t.scores.length),
    deadline,
  });
  const fitted = performance.now();
  const valid = rows(fold.valid);
  const pred = predictOn(est, valid);
  if (firstRepeat && t.oof) keepOutOfFold(t.oof, fold.valid, pred, est, valid, data);
  t.fitSeconds.push((fitted - started) / 1000);
  t.predictSeconds.push((performance.now() - fitted) / 1000);
  const yValid = gather(data.y, fold.valid);
  t.scores.push(data.task === "regression" ? r2Score(yValid, pred) : accuracyOf(yValid, pred));
}

/** Copies a fold's predictions (and, for classification, probabilities) to its rows' out-of-fold slots. */
function keepOutOfFold(
  oof: NonNullable<Trial["oof"]>,
  rows: Int32Array,
  pred: Float64Array,
  est: AnyEstimator,
  valid: Design,
  data: SearchData,
): void {
  if (!oof.labels) {
    rows.forEach((row, i) => {
      oof.values[row] = pred[i];
    });
    return;
  }
  const k = data.nClasses;
  const proba = probaOn(est as AnyClassifier, valid);
  rows.forEach((row, i) => {
    oof.labels![row] = pred[i];
    oof.values.set(proba.subarray(i * k, i * k + k), row * k);
  });
}

function entryOf(t: Trial, task: Task): LeaderboardEntry {
  return {
    modelType: t.candidate.modelType,
    label: t.candidate.label,
    hyperparameters: t.params,
    metric: task === "regression" ? "r2" : "accuracy",
    cvMean: mean(t.scores),
    cvStd: std(t.scores),
    folds: t.scores.length,
    fitSeconds: mean(t.fitSeconds),
    status: t.status,
  };
}

function mean(a: number[]): number {
  return a.length === 0 ? Number.NaN : a.reduce((s, v) => s + v, 0) / a.length;
}

function std(a: number[]): number {
  if (a.length < 2) return 0;
  const m = mean(a);
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / a.length);
}
