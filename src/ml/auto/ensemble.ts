/**
 * Greedy ensemble selection (Caruana et al., 2004) on the candidates' out-of-fold predictions: start from
 * nothing and repeatedly add, with replacement, the candidate that most lowers the blend's loss (Brier score
 * of the averaged probabilities, or squared error of the averaged predictions); a candidate's weight is how
 * often it was added. Choosing weights on the same rows that score them flatters the blend, so the choice is
 * cross-validated over the folds: for each fold the weights are chosen on the other folds' rows and scored on
 * its rows, and so is the choice of the best single candidate. The ensemble is worth it when its score beats
 * the single choice's on the same rows.
 */
import { r2Score } from "../metrics/regression.js";
import { accuracyOf } from "../metrics/simple.js";
import { argmaxRows } from "../predict.js";
import type { Task } from "../types.js";
import type { Fold } from "./folds.js";
import type { OutOfFold } from "./search.js";

/** Candidates (best cross-validated first) the selection draws from. */
const POOL_SIZE = 8;
/** Additions: with replacement, so weights are multiples of 1/STEPS at the finest. */
const STEPS = 20;
/** The best candidates the blend starts from (Caruana's sorted initialisation). */
const INITIAL_MEMBERS = 3;
/** Distinct members at most (the artifact's limit is higher). */
export const MAX_MEMBERS = 5;

export interface EnsemblePlan {
  members: Array<{ candidate: OutOfFold; weight: number }>;
  /** Mean over the folds of the blend's score (accuracy or R²), weights chosen on the other folds. */
  score: number;
  scores: number[];
  /** The same for choosing the best single candidate on the other folds. */
  singleScore: number;
  /** Mean over the folds of the blend's loss (Brier score or squared error), and of the single choice's. */
  loss: number;
  singleLoss: number;
}

export interface SelectionData {
  task: Task;
  nClasses: number;
  y: Float64Array;
  folds: Fold[];
}

/**
 * The ensemble of the pool chosen on all rows, with its cross-validated score beside the single choice's;
 * null when fewer than two candidates have out-of-fold predictions or the choice is a single candidate.
 */
export function planEnsemble(candidates: OutOfFold[], data: SelectionData): EnsemblePlan | null {
  const pool = [...candidates].sort((a, b) => b.entry.cvMean - a.entry.cvMean).slice(0, POOL_SIZE);
  if (pool.length < 2) return null;
  const scores: number[] = [];
  const singles: number[] = [];
  let loss = 0;
  let singleLoss = 0;
  for (const fold of data.folds) {
    const weights = selectWeights(pool, data, fold.train);
    scores.push(scoreOf(blend(pool, weights, data, fold.valid), data, fold.valid));
    loss += blendLoss(pool, weights, data, fold.valid) / data.folds.length;
    const single = bestSingle(pool, data, fold.train);
    singles.push(scoreOf(ownPredictions(pool[single], data, fold.valid), data, fold.valid));
    const alone = pool.map((_, i) => (i === single ? 1 : 0));
    singleLoss += blendLoss(pool, Float64Array.from(alone), data, fold.valid) / data.folds.length;
  }
  const all = Int32Array.from(data.y, (_, i) => i);
  const weights = selectWeights(pool, data, all);
  const members = pool
    .map((candidate, i) => ({ candidate, weight: weights[i] }))
    .filter((m) => m.weight > 0)
    .sort((a, b) => b.weight - a.weight);
  if (members.length < 2) return null;
  return { members, score: mean(scores), scores, singleScore: mean(singles), loss, singleLoss };
}

/**
 * Whether the blend beats the single choice: a higher cross-validated score, or the same score (frequent with
 * accuracy on small data) and a lower loss (the blend's probabilities are better).
 */
export function ensembleWins(plan: EnsemblePlan): boolean {
  return plan.score > plan.singleScore || (plan.score === plan.singleScore && plan.loss < plan.singleLoss);
}

/** Whether auto mode makes the ensemble: it beats the single choice, and refitting its members fits in `msLeft`. */
export function chooseEnsemble(plan: EnsemblePlan, msLeft: number): boolean {
  const refitMs = plan.members.reduce((s, m) => s + m.candidate.refitSeconds * 1000, 0);
  return ensembleWins(plan) && refitMs <= msLeft;
}

/** The mean loss on `rows` of the blend with these weights. */
function blendLoss(pool: OutOfFold[], weights: Float64Array, data: SelectionData, rows: Int32Array): number {
  const width = data.task === "regression" ? 1 : data.nClasses;
  const sum = new Float64Array(rows.length * width);
  pool.forEach((c, i) => {
    if (weights[i] > 0) addTo(sum, c, rows, width, weights[i]);
  });
  return lossWith(sum, 0, null, data, rows, width);
}

/** Greedy selection with replacement on `rows`: each candidate's share of the additions. */
export function selectWeights(pool: OutOfFold[], data: SelectionData, rows: Int32Array): Float64Array {
  const width = data.task === "regression" ? 1 : data.nClasses;
  const sum = new Float64Array(rows.length * width);
  const counts = new Float64Array(pool.length);
  let added = 0;
  // Sorted initialisation: the few best candidates alone, each once, so the blend does not start as one model.
  const alone = pool.map((c, i) => ({ i, loss: lossWith(sum, 0, c, data, rows, width) }));
  for (const { i } of alone.sort((a, b) => a.loss - b.loss).slice(0, INITIAL_MEMBERS)) {
    addTo(sum, pool[i], rows, width);
    counts[i]++;
    added++;
  }
  let bestLoss = lossWith(sum, added - 1, null, data, rows, width);
  for (let step = added; step < STEPS; step++) {
    const distinct = counts.filter((c) => c > 0).length;
    let pick = -1;
    for (let i = 0; i < pool.length; i++) {
      if (counts[i] === 0 && distinct >= MAX_MEMBERS) continue;
      const loss = lossWith(sum, added, pool[i], data, rows, width);
      if (loss < bestLoss - 1e-12) [pick, bestLoss] = [i, loss];
    }
    if (pick < 0) break;
    addTo(sum, pool[pick], rows, width);
    counts[pick]++;
    added++;
  }
  return counts.map((c) => c / Math.max(1, added));
}

/** Mean loss on `rows` of the blend (sum + candidate) / (added + 1) (sum / (added + 1) without one). */
function lossWith(
  sum: Float64Array,
  added: number,
  c: OutOfFold | null,
  data: SelectionData,
  rows: Int32Array,
  width: number,
): number {
  const scale = 1 / (added + 1);
  let loss = 0;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const truth = data.y[row];
    for (let j = 0; j < width; j++) {
      const p = (sum[r * width + j] + (c ? c.values[row * width + j] : 0)) * scale;
      // Squared error of the prediction, or Brier score: squared error against the one-hot truth.
      const target = width === 1 ? truth : truth === j ? 1 : 0;
      loss += (p - target) ** 2;
    }
  }
  return loss / rows.length;
}

function addTo(sum: Float64Array, c: OutOfFold, rows: Int32Array, width: number, weight = 1): void {
  for (let r = 0; r < rows.length; r++) {
    for (let j = 0; j < width; j++) sum[r * width + j] += weight * c.values[rows[r] * width + j];
  }
}

/** The blend's predictions on `rows`: weighted values, the most probable class for classification. */
function blend(
  pool: OutOfFold[],
  weights: Float64Array,
  data: SelectionData,
  rows: Int32Array,
): Float64Array {
  const width = data.task === "regression" ? 1 : data.nClasses;
  const sum = new Float64Array(rows.length * width);
  pool.forEach((c, i) => {
    if (weights[i] > 0) addTo(sum, c, rows, width, weights[i]);
  });
  return width === 1 ? sum : argmaxRows(sum, width);
}

/** A candidate's own predictions on `rows` (its predicted classes for classification, as cvMean scores). */
function ownPredictions(c: OutOfFold, data: SelectionData, rows: Int32Array): Float64Array {
  const source = data.task === "regression" ? c.values : (c.labels as Float64Array);
  return Float64Array.from(rows, (row) => source[row]);
}

/** The pool index of the candidate that scores best on `rows`. */
function bestSingle(pool: OutOfFold[], data: SelectionData, rows: Int32Array): number {
  let best = 0;
  let bestScore = Number.NEGATIVE_INFINITY;
  pool.forEach((c, i) => {
    const s = scoreOf(ownPredictions(c, data, rows), data, rows);
    if (s > bestScore) [best, bestScore] = [i, s];
  });
  return best;
}

function scoreOf(pred: Float64Array, data: SelectionData, rows: Int32Array): number {
  const truth = Float64Array.from(rows, (row) => data.y[row]);
  return data.task === "regression" ? r2Score(truth, pred) : accuracyOf(truth, pred);
}

function mean(a: number[]): number {
  return a.reduce((s, v) => s + v, 0) / a.length;
}
