/**
 * The search keeps each candidate's out-of-fold predictions averaged over every repeat of the cross-validation
 * it ran (not only the first shuffle's), and with time to spare repeats the cross-validation for the whole
 * ensemble pool.
 */
import { describe, expect, it } from "vitest";
import type { Candidate } from "../../../src/ml/auto/candidates.js";
import { kFolds } from "../../../src/ml/auto/folds.js";
import { runSearch } from "../../../src/ml/auto/search.js";
import { validateHyperparameters } from "../../../src/ml/hyperparameters.js";
import { takeRows } from "../../../src/ml/matrix.js";
import { type AnyClassifier, createEstimator } from "../../../src/ml/models/factory.js";
import { Random } from "../../../src/ml/random.js";
import { gather } from "../../../src/ml/target.js";

const n = 60;
const rng = new Random(5);
const y = Float64Array.from({ length: n }, (_, i) => i % 3);
/** Two noisy features around each class's centre: the classes overlap, so the folds' predictions differ. */
const X = {
  rows: n,
  cols: 2,
  data: Float64Array.from({ length: 2 * n }, (_, j) => y[Math.floor(j / 2)] + 1.5 * (rng.next() - 0.5)),
};
const REPEATS = 3;
const folds = (repeat: number) => kFolds(n, 5, 100 + repeat, y);
const knn = (k: number): Candidate => ({
  modelType: "knn",
  label: `kNN (k=${k})`,
  hyperparameters: { nNeighbors: k },
});

describe("auto mode's search", () => {
  it("averages each candidate's out-of-fold probabilities over all the repeats it ran", () => {
    const candidates = [knn(3), knn(7), knn(11)];
    const result = runSearch(
      candidates,
      {
        task: "classification",
        nClasses: 3,
        y,
        onehot: X,
        native: null,
        folds,
        maxRepeats: REPEATS,
        keepOutOfFold: true,
      },
      { start: performance.now(), budgetMs: 600_000, seed: 1, refitRows: n },
    );
    // Every candidate is in the ensemble's pool, so each gets every repeat.
    expect(result.entries.map((e) => e.folds)).toEqual([15, 15, 15]);
    candidates.forEach((c, i) => {
      const k = 3 + 4 * i;
      const kept = result.outOfFold.find((o) => o.entry.label === c.label);
      expect(kept).toBeDefined();
      const averaged = outOfFold(k, REPEATS);
      kept!.values.forEach((v, j) => {
        expect(v).toBeCloseTo(averaged[j], 12);
      });
      // Not just the first repeat's: the shuffles disagree on some row.
      expect(Array.from(kept!.values)).not.toEqual(Array.from(outOfFold(k, 1)));
    });
  });
});

/** kNN's out-of-fold class probabilities averaged over the first `repeats` repeats, computed directly. */
function outOfFold(k: number, repeats: number): Float64Array {
  const sum = new Float64Array(n * 3);
  for (let r = 0; r < repeats; r++) {
    for (const fold of folds(r)) {
      const est = createEstimator(
        "knn",
        "classification",
        validateHyperparameters("knn", { nNeighbors: k }),
        3,
      ) as AnyClassifier;
      est.fit(takeRows(X, fold.train), gather(y, fold.train), { rng: new Random(0) });
      const proba = est.predictProba(takeRows(X, fold.valid));
      fold.valid.forEach((row, v) => {
        for (let j = 0; j < 3; j++) sum[row * 3 + j] += proba[v * 3 + j] / repeats;
      });
    }
  }
  return sum;
}
