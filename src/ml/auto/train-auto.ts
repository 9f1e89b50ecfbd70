/**
 * Auto mode ("🤖 Auto (best model)"): cross-validates the candidate models on the training rows within the
 * time budget (search.ts), refits the winner on all training rows, scores it on the held-out rows (the
 * same split trainModel makes), and returns its result with the leaderboard attached. The model document is
 * the winner's own, so it predicts like any single model.
 */
import { buildDesign, type Design } from "../design.js";
import { TrainingFailedError } from "../errors.js";
import { validateHyperparameters } from "../hyperparameters.js";
import { fitPreprocessing } from "../preprocess/fit.js";
import { Random } from "../random.js";
import { getModelSpec } from "../registry.js";
import { findColumn } from "../schema.js";
import { trainTestSplit } from "../split.js";
import { encodeTarget, gather } from "../target.js";
import type { Column, Frame, LeaderboardEntry, TrainProgress, TrainResult, TrainSpec } from "../types.js";
import { candidatesFor } from "./candidates.js";
import { kFolds } from "./folds.js";
import { runSearch } from "./search.js";

/** Cross-validation uses at most this many training rows (a seeded sample); the refit uses them all. */
export const CV_MAX_ROWS = 200_000;

type Single = (
  frame: Frame,
  spec: TrainSpec,
  onProgress: ((p: TrainProgress) => void) | undefined,
  deadline: number,
) => TrainResult;

/**
 * @param trainSingle - trainModel for one model (passed in to keep the modules acyclic)
 * @param resolveFeatures - the feature columns trainModel would use
 */
export function trainAuto(
  frame: Frame,
  spec: TrainSpec,
  onProgress: ((p: TrainProgress) => void) | undefined,
  trainSingle: Single,
  resolveFeatures: (frame: Frame, spec: TrainSpec) => Column[],
): TrainResult {
  const start = performance.now();
  const params = validateHyperparameters("auto", spec.hyperparameters ?? {});
  const budgetMs = (params.timeBudgetMinutes as number) * 60_000;
  const seed = spec.seed ?? 42;
  const report = (percent: number, message: string) =>
    onProgress?.({ phase: "training", percent: Math.round(percent), message });
  report(0, "Auto mode: preparing the cross-validation");
  const target = encodeTarget(findColumn(frame, spec.target), spec.task);
  const columns = resolveFeatures(frame, spec);
  const split = trainTestSplit(
    target.rows.length,
    spec.testSize ?? 0.2,
    seed,
    spec.task === "classification" ? Int32Array.from(target.y) : undefined,
  );
  const cvIndex = split.train.length > CV_MAX_ROWS ? sample(split.train, CV_MAX_ROWS, seed) : split.train;
  const cvRows = Int32Array.from(gather(target.rows, cvIndex));
  const y = gather(target.y, cvIndex);
  const candidates = candidatesFor(spec.task, split.train.length);
  const needs = (native: boolean) =>
    candidates.some((c) => (getModelSpec(c.modelType).encoding === "native") === native);
  const design = (native: boolean): Design | null => {
    if (!needs(native)) return null;
    const pre = fitPreprocessing(columns, cvRows, spec.scaling ?? "standard", native ? "native" : undefined);
    return buildDesign(pre, columns, frame.nRows, cvRows);
  };
  const nClasses = target.classes?.length ?? 0;
  const entries = runSearch(
    candidates,
    {
      task: spec.task,
      nClasses,
      y,
      onehot: design(false),
      native: design(true),
      folds: (repeat) =>
        kFolds(
          cvRows.length,
          params.folds as number,
          seed + 7919 * repeat,
          spec.task === "classification" ? y : undefined,
        ),
      maxRepeats: cvRows.length <= 5000 ? 10 : 3,
    },
    {
      start,
      budgetMs,
      seed,
      refitRows: split.train.length,
      onCandidate: (e, elapsed) =>
        report(
          5 + (80 * Math.min(elapsed, budgetMs)) / budgetMs,
          `${e.label}: ${e.cvMean.toFixed(3)} ± ${e.cvStd.toFixed(3)} over ${e.folds} fold${e.folds === 1 ? "" : "s"}`,
        ),
    },
  );
  const winner = pickWinner(entries);
  report(85, `Refitting the best model: ${winner.label}`);
  const result = trainSingle(
    frame,
    { ...spec, modelType: winner.modelType, hyperparameters: winner.hyperparameters },
    (p) => report(85 + 0.15 * p.percent, p.message),
    start + budgetMs,
  );
  const leaderboard = entries
    .map((e) => ({ ...e, ...(e === winner ? { winner: true } : {}) }))
    .sort((a, b) => Number(b.winner ?? false) - Number(a.winner ?? false) || b.cvMean - a.cvMean);
  return { ...result, leaderboard, fitSeconds: (performance.now() - start) / 1000 };
}

/** The best mean among candidates scored on every fold; failing that, the best of the rest. */
function pickWinner(entries: LeaderboardEntry[]): LeaderboardEntry {
  const full = Math.max(...entries.map((e) => e.folds));
  const pool = entries.filter((e) => e.folds === full && e.status === "complete");
  const ranked = (pool.length > 0 ? pool : entries).slice().sort((a, b) => b.cvMean - a.cvMean);
  if (ranked.length === 0) {
    throw new TrainingFailedError(
      "Auto mode could not score any model within its time budget; give it more time.",
    );
  }
  return ranked[0];
}

function sample(rows: Int32Array, m: number, seed: number): Int32Array {
  return new Random(seed + 3)
    .permutation(rows.length)
    .subarray(0, m)
    .sort()
    .map((k) => rows[k]);
}
