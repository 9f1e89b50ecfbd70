/**
 * The deadlock stress test: hundreds of small boosting fits on 2–4 threads, random shapes (rows, features,
 * missing values, regression, binary and multiclass), every node cut into shares for the threads (no row
 * floor), so each fit is thousands of hand-offs. The lost wake-up of the old pool hung one of these within
 * the first few dozen fits. Every tenth fit is also grown on one thread: the shares are added in the same
 * order on any thread count, so the forest must be bit-identical.
 */
import { describe, expect, it } from "vitest";
import { validateHyperparameters } from "../../../src/ml/hyperparameters.js";
import {
  type HistFitted,
  HistGradientBoostingClassifier,
  HistGradientBoostingRegressor,
} from "../../../src/ml/models/hist-gradient-boosting.js";
import { Random } from "../../../src/ml/random.js";
import { toHistParams } from "../../../src/ml/registry-boosting.js";

const FITS = 300;

function randomProblem(seed: number) {
  const rng = new Random(seed);
  const n = 50 + rng.int(1500);
  const p = 1 + rng.int(10);
  const classes = [0, 2, 3 + rng.int(3)][rng.int(3)];
  const data = new Float64Array(n * p);
  for (let i = 0; i < n * p; i++) data[i] = rng.next() < 0.05 ? Number.NaN : rng.normal();
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const signal = (data[i * p] || 0) + 0.5 * rng.normal();
    y[i] = classes === 0 ? signal : Math.min(classes - 1, Math.max(0, Math.floor(signal + classes / 2)));
  }
  return { X: { data, rows: n, cols: p }, y, classes, threads: 2 + rng.int(3) };
}

function fitForest(seed: number, threads: number) {
  const { X, y, classes } = randomProblem(seed);
  const params = {
    ...toHistParams("xgboost", validateHyperparameters("xgboost", { nEstimators: 4, maxDepth: 4, threads })),
    parallelMinRows: 0,
  };
  const est =
    classes === 0 ? new HistGradientBoostingRegressor(params) : new HistGradientBoostingClassifier(params);
  if (est instanceof HistGradientBoostingClassifier) est.nClasses = classes;
  est.fit(X, y, { rng: new Random(seed) });
  return (est.getFitted() as HistFitted).forest;
}

describe("histogram threads under stress", () => {
  it(`completes ${FITS} small fits on 2–4 threads, each the same forest as one thread's`, () => {
    let compared = 0;
    for (let seed = 0; seed < FITS; seed++) {
      const forest = fitForest(seed, randomProblem(seed).threads);
      expect(forest.feature.length).toBeGreaterThan(0);
      if (seed % 10 !== 0) continue;
      const one = fitForest(seed, 1);
      expect(forest).toEqual(one);
      compared++;
    }
    expect(compared).toBe(FITS / 10);
  }, 120_000);
});
