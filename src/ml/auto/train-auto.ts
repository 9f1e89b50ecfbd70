/**
 * Auto mode ("🤖 Auto (best model)"): cross-validates the candidate models on the training rows within the
 * time budget (search.ts), refits the winner on all training rows, scores it on the held-out rows (the
 * same split trainModel makes), and returns its result with the leaderboard attached. When an equally
 * weighted blend of the five candidates with the lowest out-of-fold loss beats the best single one on
 * cross-validated out-of-fold predictions (ensemble.ts) and its members' refits fit in the budget, the blend
 * wins: its members are refitted and the model document is an ensemble (artifact/ensemble.ts). Otherwise the
 * model document is the winner's own.
 */
import { blendImportance, ENSEMBLE_MODEL, ensembleDocument, ensembleLabel } from "../artifact/ensemble.js";
import { typedBytes } from "../artifact/typed-json.js";
import { buildDesign, type Design } from "../design.js";
import { TrainingFailedError } from "../errors.js";
import { validateHyperparameters } from "../hyperparameters.js";
import { classificationMetrics } from "../metrics/classification.js";
import { regressionMetrics } from "../metrics/regression.js";
import { argmaxRows, modelOutput } from "../predict.js";
import { fitPreprocessing } from "../preprocess/fit.js";
import { Random } from "../random.js";
import { getModelSpec } from "../registry.js";
import { findColumn } from "../schema.js";
import { trainTestSplit } from "../split.js";
import { encodeTarget, gather } from "../target.js";
import type { Column, Frame, LeaderboardEntry, TrainProgress, TrainResult, TrainSpec } from "../types.js";
import { candidatesFor } from "./candidates.js";
import { chooseEnsemble, type EnsemblePlan, planEnsemble } from "./ensemble.js";
import { kFolds } from "./folds.js";
import { runSearch } from "./search.js";

/** Cross-validation uses at most this many training rows (a seeded sample); the refit uses them all. */
export const CV_MAX_ROWS = 200_000;
/** Out-of-fold values kept per candidate for the ensemble (rows × classes); above it no ensemble is tried. */
const OUT_OF_FOLD_MAX_CELLS = 500_000;
/** An ensemble whose arrays exceed this many bytes is not made (the artifact's limit is twice as high). */
const ENSEMBLE_MAX_ARRAY_BYTES = 256 * 1024 * 1024;

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
  const folds = (repeat: number) =>
    kFolds(
      cvRows.length,
      params.folds as number,
      seed + 7919 * repeat,
      spec.task === "classification" ? y : undefined,
    );
  const search = runSearch(
    candidates,
    {
      task: spec.task,
      nClasses,
      y,
      onehot: design(false),
      native: design(true),
      folds,
      maxRepeats: cvRows.length <= 5000 ? 10 : 3,
      keepOutOfFold: cvRows.length * Math.max(1, nClasses) <= OUT_OF_FOLD_MAX_CELLS,
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
  const single = pickWinner(search.entries);
  const plan = planEnsemble(search.outOfFold, { task: spec.task, nClasses, y, folds: folds(0) });
  if (plan) {
    const label = ensembleLabel(
      plan.members.map((m) => ({ label: m.candidate.entry.label, weight: m.weight })),
    );
    report(
      85,
      `${label}: ${plan.score.toFixed(3)} against ${plan.singleScore.toFixed(3)} for the best single model`,
    );
  }
  const useEnsemble = plan !== null && chooseEnsemble(plan, budgetMs - (performance.now() - start));
  const refit = (entry: LeaderboardEntry, from: number, to: number) =>
    trainSingle(
      frame,
      { ...spec, modelType: entry.modelType, hyperparameters: entry.hyperparameters },
      (p) => report(from + ((to - from) * p.percent) / 100, p.message),
      start + budgetMs,
    );
  let result: TrainResult | null = null;
  let winner = single;
  if (useEnsemble) {
    const heldOut = {
      rows: Int32Array.from(gather(target.rows, split.test)),
      y: gather(target.y, split.test),
    };
    result = refitEnsemble(plan, refit, columns, frame.nRows, heldOut, report);
    if (result) winner = ensembleEntry(plan, spec.task === "regression" ? "r2" : "accuracy");
  }
  if (!result) {
    report(85, `Refitting the best model: ${single.label}`);
    result = refit(single, 85, 100);
  }
  const leaderboard = [winner, ...search.entries.filter((e) => e !== winner)]
    .map((e) => ({ ...e, ...(e === winner ? { winner: true } : {}) }))
    .sort((a, b) => Number(b.winner ?? false) - Number(a.winner ?? false) || b.cvMean - a.cvMean);
  return { ...result, leaderboard, fitSeconds: (performance.now() - start) / 1000 };
}

type Refit = (entry: LeaderboardEntry, from: number, to: number) => TrainResult;

/**
 * Refits the plan's members on all training rows and blends them into an ensemble result: held-out metrics
 * from the blend's own predictions, the (identically sampled) evaluation rows and the importance blended
 * from the members'. Null when the members' arrays would make the model too large.
 */
function refitEnsemble(
  plan: EnsemblePlan,
  refit: Refit,
  columns: Column[],
  nRows: number,
  heldOut: { rows: Int32Array; y: Float64Array },
  report: (percent: number, message: string) => void,
): TrainResult | null {
  const n = plan.members.length;
  const results = plan.members.map((m, i) => {
    report(85 + (15 * i) / n, `Refitting ${m.candidate.entry.label} for the ensemble`);
    return refit(m.candidate.entry, 85 + (15 * i) / n, 85 + (15 * (i + 1)) / n);
  });
  const members = results.map((r, i) => ({
    label: plan.members[i].candidate.entry.label,
    weight: plan.members[i].weight,
    model: r.model,
  }));
  if (typedBytes(members.map((m) => m.model)) > ENSEMBLE_MAX_ARRAY_BYTES) return null;
  const model = ensembleDocument(members);
  const out = modelOutput(model, columns, nRows, { rows: heldOut.rows });
  const k = model.classes?.length ?? 0;
  const metrics =
    model.task === "regression"
      ? regressionMetrics(heldOut.y, out.predictions)
      : classificationMetrics(heldOut.y, out.predictions, k, out.proba);
  const weighted = (pick: (r: TrainResult) => number[] | undefined) => {
    const sum = new Float64Array(pick(results[0])?.length ?? 0);
    results.forEach((r, i) => {
      pick(r)?.forEach((v, j) => {
        sum[j] += members[i].weight * v;
      });
    });
    return sum;
  };
  const { yTrue } = results[0].evaluation;
  const evaluation: TrainResult["evaluation"] =
    model.task === "regression"
      ? { yTrue, yPred: Array.from(weighted((r) => r.evaluation.yPred)) }
      : (() => {
          const proba = weighted((r) => r.evaluation.proba);
          return { yTrue, yPred: Array.from(argmaxRows(proba, k)), proba: Array.from(proba) };
        })();
  return {
    model,
    metrics,
    importance: blendImportance(
      results.map((r, i) => ({ weight: members[i].weight, importance: r.importance })),
    ),
    facts: results[0].facts,
    evaluation,
    fitSeconds: results.reduce((s, r) => s + r.fitSeconds, 0),
  };
}

/** The ensemble's leaderboard row: its cross-validated score, weights chosen on the other folds. */
function ensembleEntry(plan: EnsemblePlan, metric: LeaderboardEntry["metric"]): LeaderboardEntry {
  const m = plan.score;
  return {
    modelType: ENSEMBLE_MODEL,
    label: ensembleLabel(plan.members.map((x) => ({ label: x.candidate.entry.label, weight: x.weight }))),
    hyperparameters: {
      members: plan.members.map((x) => ({ label: x.candidate.entry.label, weight: x.weight })),
    },
    metric,
    cvMean: m,
    cvStd: Math.sqrt(plan.scores.reduce((s, v) => s + (v - m) ** 2, 0) / plan.scores.length),
    folds: plan.scores.length,
    fitSeconds: plan.members.reduce((s, x) => s + x.candidate.entry.fitSeconds, 0),
    status: "complete",
  };
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
