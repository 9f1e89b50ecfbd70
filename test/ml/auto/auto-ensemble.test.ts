/**
 * Auto mode end to end with a constructed candidate list (six quick models), on a simulated clock (see
 * auto.test.ts): on wine the blend of the five with the lowest out-of-fold loss beats the best single candidate
 * on cross-validation, so auto mode refits them and returns an ensemble of five; on breast cancer it trails by
 * more than half a row per fold, so the single one wins. The same seed gives the same search and model.
 */
import { describe, expect, it, vi } from "vitest";
import { deserializeModel, predictFrame, serializeModel, trainModel } from "../../../src/ml/index.js";
import type { Frame, TrainResult } from "../../../src/ml/types.js";
import { loadFixture } from "../helpers/fixtures.js";

vi.mock("../../../src/ml/auto/candidates.js", () => ({
  candidatesFor: () => [
    { modelType: "logistic", label: "Logistic regression", hyperparameters: {} },
    { modelType: "naive_bayes", label: "Naive Bayes", hyperparameters: {} },
    { modelType: "knn", label: "kNN (k=5)", hyperparameters: { nNeighbors: 5 } },
    { modelType: "knn", label: "kNN (k=15)", hyperparameters: { nNeighbors: 15 } },
    { modelType: "random_forest", label: "Random forest (20 trees)", hyperparameters: { nEstimators: 20 } },
    { modelType: "decision_tree", label: "Decision tree (depth 2)", hyperparameters: { maxDepth: 2 } },
  ],
}));

const BUDGET_SECONDS = 30;

function autoOn(frame: Frame, target: string): { r: TrainResult; progress: string[]; seconds: number } {
  const progress: string[] = [];
  let simulatedMs = 0;
  const clock = vi.spyOn(performance, "now").mockImplementation(() => (simulatedMs += 8));
  try {
    const r = trainModel(
      frame,
      {
        modelType: "auto",
        task: "classification",
        target,
        features: [],
        hyperparameters: { timeBudgetMinutes: BUDGET_SECONDS / 60 },
      },
      (p) => progress.push(p.message),
    );
    return { r, progress, seconds: simulatedMs / 1000 };
  } finally {
    clock.mockRestore();
  }
}

/** "Ensemble of …: 0.993 against 0.979 for the best single model" → [0.993, 0.979]. */
function comparison(progress: string[]): [number, number] {
  const line = progress.find((m) => m.startsWith("Ensemble of ")) ?? "";
  const match = /: ([\d.]+) against ([\d.]+) for the best single model$/.exec(line);
  expect(match, line).not.toBeNull();
  return [Number(match![1]), Number(match![2])];
}

describe("auto mode's choice between an ensemble and one model", () => {
  it("makes the ensemble when it beats the best single candidate, within the budget", async () => {
    const frame = await loadFixture("wine");
    const { r, progress, seconds } = autoOn(frame, "cultivar");
    expect(seconds).toBeLessThanOrEqual(BUDGET_SECONDS);
    const [ensemble, single] = comparison(progress);
    expect(ensemble).toBeGreaterThan(single);

    const board = r.leaderboard ?? [];
    const winner = board[0];
    expect(winner).toMatchObject({ modelType: "ensemble", winner: true, status: "complete" });
    expect(board.filter((e) => e.winner)).toHaveLength(1);
    expect(winner.cvMean).toBeCloseTo(ensemble, 3);
    expect(r.model.modelType).toBe("ensemble");
    const members = (r.model.fitted as { members: Array<{ label: string; weight: number }> }).members;
    expect(members).toHaveLength(5);
    expect(members.reduce((s, m) => s + m.weight, 0)).toBeCloseTo(1, 12);
    expect(winner.label).toBe(`Ensemble of ${members.map((m) => m.label).join(", ")}`);

    // The held-out metrics (from the blend's predictions) agree with the blended evaluation rows.
    const { yTrue, yPred, proba } = r.evaluation;
    const hits = yTrue.filter((v, i) => v === yPred[i]).length;
    expect(r.metrics.accuracy).toBeCloseTo(hits / yTrue.length, 12);
    expect(proba).toHaveLength(yTrue.length * 3);
    expect(r.importance.reduce((s, f) => s + f.importance, 0)).toBeCloseTo(1, 9);

    const files = serializeModel(r.model, {} as never, "k".repeat(40));
    const loaded = deserializeModel(files, "k".repeat(40)).model;
    expect(predictFrame(loaded, frame, { probabilities: true })).toEqual(
      predictFrame(r.model, frame, { probabilities: true }),
    );
  }, 120_000);

  it("is deterministic for a seed: the same leaderboard and the same model, twice", async () => {
    const frame = await loadFixture("iris");
    const [a, b] = [autoOn(frame, "species").r, autoOn(frame, "species").r];
    expect(b.leaderboard?.map((e) => [e.label, e.cvMean, e.folds])).toEqual(
      a.leaderboard?.map((e) => [e.label, e.cvMean, e.folds]),
    );
    expect(b.model.fitted).toEqual(a.model.fitted);
    expect(b.evaluation).toEqual(a.evaluation);
  }, 120_000);

  it("keeps the single best candidate when the ensemble does not beat it", async () => {
    const frame = await loadFixture("breast_cancer");
    const { r, progress } = autoOn(frame, "diagnosis");
    const [ensemble, single] = comparison(progress);
    // 455 cross-validated rows in 5 folds: half a row per fold is 0.0055.
    expect(ensemble).toBeLessThan(single - 0.0055);
    const winner = (r.leaderboard ?? []).find((e) => e.winner);
    expect(winner?.modelType).not.toBe("ensemble");
    expect(r.model.modelType).toBe(winner?.modelType);
    expect(r.leaderboard?.some((e) => e.modelType === "ensemble")).toBe(false);
  }, 120_000);
});
