/**
 * Auto mode: folds (stratified, covering every row once), the time budget (within 10%), the leaderboard
 * (every candidate tried, one winner, best first) and a result that predicts and charts like any model.
 * The budget is checked on a simulated clock, not the wall clock of a shared machine: every clock read
 * (auto mode reads it around each fit, iterative models at each round) moves it forward by a fixed step, so
 * the same work always spends the same time, however loaded the machine is.
 */
import { describe, expect, it, vi } from "vitest";
import { candidatesFor } from "../../../src/ml/auto/candidates.js";
import { kFolds } from "../../../src/ml/auto/folds.js";
import {
  chartSvgs,
  getModelSpec,
  MODEL_REGISTRY,
  predictFrame,
  trainModel,
  validateHyperparameters,
} from "../../../src/ml/index.js";
import { supportsTask } from "../../../src/ml/models/factory.js";
import { loadFixture } from "../helpers/fixtures.js";

describe("kFolds", () => {
  it("puts every row in exactly one validation fold, with each class spread evenly", () => {
    const labels = Float64Array.from({ length: 103 }, (_, i) => (i < 70 ? 0 : i < 95 ? 1 : 2));
    const folds = kFolds(103, 5, 1, labels);
    const seen = new Int32Array(103);
    for (const f of folds) {
      expect(f.train.length + f.valid.length).toBe(103);
      for (const i of f.valid) seen[i]++;
      for (const c of [0, 1, 2]) {
        const inFold = Array.from(f.valid).filter((i) => labels[i] === c).length;
        const total = labels.filter((v) => v === c).length;
        expect(Math.abs(inFold - total / 5)).toBeLessThanOrEqual(1);
      }
    }
    expect(Array.from(seen).every((v) => v === 1)).toBe(true);
    expect(kFolds(103, 5, 2, labels)[0].valid).not.toEqual(folds[0].valid);
  });
});

describe("auto mode", () => {
  it("is in the registry with a time budget of 1, 5 or 15 minutes", () => {
    expect(getModelSpec("auto").displayName).toBe("🤖 Auto (best model)");
    expect(getModelSpec("auto").choices?.timeBudgetMinutes).toEqual([1, 5, 15]);
    expect(validateHyperparameters("auto", {})).toEqual({ timeBudgetMinutes: 1, folds: 5 });
  });

  it("keeps to its time budget (within 10%) and returns the winner with a leaderboard", async () => {
    const frame = await loadFixture("breast_cancer");
    const budgetSeconds = 6;
    const progress: string[] = [];
    const STEP_MS = 8;
    let simulatedMs = 0;
    const clock = vi.spyOn(performance, "now").mockImplementation(() => (simulatedMs += STEP_MS));
    let r: ReturnType<typeof trainModel>;
    try {
      r = trainModel(
        frame,
        {
          modelType: "auto",
          task: "classification",
          target: "diagnosis",
          features: [],
          hyperparameters: { timeBudgetMinutes: budgetSeconds / 60 },
        },
        (p) => progress.push(p.message),
      );
    } finally {
      clock.mockRestore();
    }
    expect(simulatedMs / 1000).toBeLessThanOrEqual(budgetSeconds * 1.1);
    expect(r.fitSeconds).toBeLessThanOrEqual(budgetSeconds * 1.1);
    const board = r.leaderboard ?? [];
    // Several candidates, and the budget, not the list, is what ended the search.
    expect(board.length).toBeGreaterThanOrEqual(5);
    expect(board.some((e) => e.folds < 5)).toBe(true);
    const winners = board.filter((e) => e.winner);
    expect(winners).toHaveLength(1);
    expect(board[0]).toBe(winners[0]);
    const [winner] = winners;
    expect(r.model.modelType).toBe(winner.modelType);
    if (winner.modelType === "ensemble") {
      // Its members are candidates, named in its label and in the model document.
      const members = (r.model.fitted as { members: Array<{ label: string }> }).members;
      expect(members.length).toBeGreaterThanOrEqual(2);
      for (const m of members) {
        expect(winner.label).toContain(m.label);
        expect(board.some((e) => e.label === m.label)).toBe(true);
      }
      expect(progress.some((m) => m.startsWith(`${winner.label}: `))).toBe(true);
    } else {
      const complete = board.filter((e) => e.folds === winner.folds);
      for (const e of complete) expect(e.cvMean).toBeLessThanOrEqual(winner.cvMean);
    }
    expect(board.every((e) => e.metric === "accuracy" && e.folds >= 1 && e.cvStd >= 0)).toBe(true);
    expect(progress.filter((m) => m.includes(" over ")).length).toBeGreaterThanOrEqual(board.length - 1);
    expect(r.metrics.accuracy).toBeGreaterThan(0.9);
    expect(predictFrame(r.model, frame).predictions).toHaveLength(frame.nRows);
    expect(chartSvgs(r).map((c) => c.name)[0]).toBe("leaderboard");
  }, 60_000);
});

describe("auto mode's candidates", () => {
  it("include every single model with its defaults on small data", () => {
    for (const task of ["classification", "regression"] as const) {
      const defaults = candidatesFor(task, 500).filter((c) => Object.keys(c.hyperparameters).length === 0);
      for (const spec of MODEL_REGISTRY) {
        if (spec.id === "auto" || !supportsTask(spec.id, task)) continue;
        expect(
          defaults.some((c) => c.modelType === spec.id),
          `${spec.id} for ${task}`,
        ).toBe(true);
      }
    }
  });
});
