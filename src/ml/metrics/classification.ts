/**
 * Classification metrics with scikit-learn's definitions (sklearn.metrics): accuracy; precision, recall and
 * F1 (binary for two classes with class 1 positive, weighted otherwise; macro and weighted F1 always) over
 * the labels present in truth or prediction, 0 where undefined; ROC-AUC (binary, or one-vs-rest macro);
 * average precision (binary, or one-vs-rest macro); log-loss with rows renormalised and eps 1e-15; Brier
 * score (binary); and the confusion matrix (rows = truth, columns = prediction, all classes).
 */
import { sumCompensated } from "../kernels/sum-compensated.js";
import type { Metrics } from "../types.js";
import { averagePrecision, rocAuc } from "./ranking.js";

const LOG_LOSS_EPS = 1e-15;

/**
 * @param yTrue - class indices 0..k-1
 * @param yPred - predicted class indices
 * @param k - number of classes
 * @param proba - optional n×k row-major probabilities
 */
export function classificationMetrics(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  k: number,
  proba?: Float64Array,
): Metrics {
  const n = yTrue.length;
  const cm = confusionMatrix(yTrue, yPred, k);
  let correct = 0;
  for (let c = 0; c < k; c++) correct += cm[c][c];
  const perClass = perClassScores(cm, k);
  const present = perClass.filter((s) => s.present);
  const support = present.reduce((s, c) => s + c.support, 0);
  const weighted = (key: "precision" | "recall" | "f1") =>
    support === 0 ? 0 : present.reduce((s, c) => s + c[key] * c.support, 0) / support;
  const macro = (key: "f1") => present.reduce((s, c) => s + c[key], 0) / Math.max(1, present.length);
  const m: Metrics = {
    accuracy: correct / n,
    confusionMatrix: cm,
    f1Macro: macro("f1"),
    f1Weighted: weighted("f1"),
  };
  if (k === 2) {
    m.precision = perClass[1].precision;
    m.recall = perClass[1].recall;
    m.f1 = perClass[1].f1;
  } else {
    m.precision = weighted("precision");
    m.recall = weighted("recall");
    m.f1 = m.f1Weighted;
  }
  if (proba) Object.assign(m, probabilityMetrics(yTrue, k, proba));
  return m;
}

export function confusionMatrix(yTrue: ArrayLike<number>, yPred: ArrayLike<number>, k: number): number[][] {
  const cm = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; i++) cm[yTrue[i]][yPred[i]]++;
  return cm;
}

interface ClassScore {
  precision: number;
  recall: number;
  f1: number;
  support: number;
  present: boolean;
}

function perClassScores(cm: number[][], k: number): ClassScore[] {
  const scores: ClassScore[] = [];
  for (let c = 0; c < k; c++) {
    const tp = cm[c][c];
    let predicted = 0;
    let actual = 0;
    for (let r = 0; r < k; r++) {
      predicted += cm[r][c];
      actual += cm[c][r];
    }
    const precision = predicted === 0 ? 0 : tp / predicted;
    const recall = actual === 0 ? 0 : tp / actual;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    scores.push({ precision, recall, f1, support: actual, present: actual > 0 || predicted > 0 });
  }
  return scores;
}

function probabilityMetrics(yTrue: ArrayLike<number>, k: number, proba: Float64Array): Metrics {
  const n = yTrue.length;
  const losses = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let rowSum = 0;
    for (let c = 0; c < k; c++) rowSum += clip(proba[i * k + c]);
    losses[i] = -Math.log(clip(proba[i * k + yTrue[i]]) / rowSum);
  }
  const m: Metrics = { logLoss: sumCompensated(n, losses) / n };
  const positive = new Float64Array(n);
  const score = new Float64Array(n);
  if (k === 2) {
    const sq = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      positive[i] = yTrue[i] === 1 ? 1 : 0;
      score[i] = proba[i * 2 + 1];
      sq[i] = (score[i] - positive[i]) ** 2;
    }
    m.brier = sumCompensated(n, sq) / n;
    setIfFinite(m, "rocAuc", rocAuc(positive, score));
    setIfFinite(m, "prAuc", averagePrecision(positive, score));
    return m;
  }
  const aucs: number[] = [];
  const aps: number[] = [];
  for (let c = 0; c < k; c++) {
    for (let i = 0; i < n; i++) {
      positive[i] = yTrue[i] === c ? 1 : 0;
      score[i] = proba[i * k + c];
    }
    const auc = rocAuc(positive, score);
    if (Number.isFinite(auc)) aucs.push(auc);
    const ap = averagePrecision(positive, score);
    if (Number.isFinite(ap)) aps.push(ap);
  }
  if (aucs.length > 0) m.rocAuc = aucs.reduce((s, a) => s + a, 0) / aucs.length;
  if (aps.length > 0) m.prAuc = aps.reduce((s, a) => s + a, 0) / aps.length;
  return m;
}

function clip(p: number): number {
  return Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, p));
}

function setIfFinite(m: Metrics, key: "rocAuc" | "prAuc", v: number): void {
  if (Number.isFinite(v)) m[key] = v;
}
