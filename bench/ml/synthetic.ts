/**
 * Synthetic data in the spirit of scikit-learn's make_regression / make_classification (fixed seed):
 * 20 standard-normal features; regression y = Xw + noise with 10 informative features; classification
 * from a noisy linear score with an interaction, so trees and linear models both have work to do.
 */
import { Random } from "../../src/ml/random.js";
import type { Prepared } from "./prepare.js";

export function synthetic(task: "regression" | "classification", n: number, p = 20, seed = 7): Prepared {
  const rng = new Random(seed);
  const X = Float64Array.from({ length: n * p }, () => rng.normal());
  const w = Float64Array.from({ length: p }, (_, j) => (j < 10 ? 100 * rng.next() : 0));
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += X[i * p + j] * w[j];
    if (task === "regression") y[i] = s + rng.normal();
    else y[i] = s / 100 + X[i * p] * X[i * p + 1] + 0.5 * rng.normal() > 0 ? 1 : 0;
  }
  const nTrain = Math.floor(0.8 * n);
  return {
    name: `synthetic-${task === "regression" ? "reg" : "clf"}-${n}`,
    task,
    nClasses: task === "classification" ? 2 : 0,
    Xtrain: { data: X.slice(0, nTrain * p), rows: nTrain, cols: p },
    ytrain: y.slice(0, nTrain),
    Xtest: { data: X.slice(nTrain * p), rows: n - nTrain, cols: p },
    ytest: y.slice(nTrain),
  };
}
