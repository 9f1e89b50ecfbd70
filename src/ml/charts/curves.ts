/**
 * ROC and precision–recall points of one binary problem, at every distinct score threshold (as
 * sklearn.metrics.roc_curve / precision_recall_curve with drop_intermediate off). Ties form one threshold.
 */

export interface CurvePoints {
  x: Float64Array;
  y: Float64Array;
}

function descending(score: ArrayLike<number>): Int32Array {
  const order = new Int32Array(score.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => score[b] - score[a] || a - b);
}

/** Cumulative (fp, tp) after each distinct threshold, starting at (0, 0). */
function thresholdCounts(positive: ArrayLike<number>, score: ArrayLike<number>) {
  const order = descending(score);
  const fps: number[] = [0];
  const tps: number[] = [0];
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (positive[i] === 1) tp++;
    else fp++;
    if (k === order.length - 1 || score[order[k + 1]] !== score[i]) {
      fps.push(fp);
      tps.push(tp);
    }
  }
  return { fps, tps, tp, fp };
}

/** False positive rate (x) and true positive rate (y); null when one of the classes is absent. */
export function rocPoints(positive: ArrayLike<number>, score: ArrayLike<number>): CurvePoints | null {
  const { fps, tps, tp, fp } = thresholdCounts(positive, score);
  if (tp === 0 || fp === 0) return null;
  return { x: Float64Array.from(fps, (v) => v / fp), y: Float64Array.from(tps, (v) => v / tp) };
}

/** Recall (x) and precision (y), from recall 0 (precision 1) upwards; null without positives. */
export function precisionRecallPoints(
  positive: ArrayLike<number>,
  score: ArrayLike<number>,
): CurvePoints | null {
  const { fps, tps, tp } = thresholdCounts(positive, score);
  if (tp === 0) return null;
  const x = [0];
  const y = [1];
  for (let k = 1; k < fps.length; k++) {
    x.push(tps[k] / tp);
    y.push(tps[k] / (tps[k] + fps[k]));
  }
  return { x: Float64Array.from(x), y: Float64Array.from(y) };
}

/** Trapezoidal area under (x, y). */
export function areaUnder(p: CurvePoints): number {
  let a = 0;
  for (let k = 1; k < p.x.length; k++) a += ((p.x[k] - p.x[k - 1]) * (p.y[k] + p.y[k - 1])) / 2;
  return a;
}

/** Step-wise area (average precision): Σ (recall_k − recall_{k−1}) · precision_k. */
export function stepArea(p: CurvePoints): number {
  let a = 0;
  for (let k = 1; k < p.x.length; k++) a += (p.x[k] - p.x[k - 1]) * p.y[k];
  return a;
}
