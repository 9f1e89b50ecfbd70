/**
 * Threshold-free scores of one binary problem: ROC-AUC by the trapezoidal rule over distinct thresholds
 * (sklearn.metrics.roc_auc_score) and average precision, the step-wise area under the precision–recall
 * curve (sklearn.metrics.average_precision_score). Ties in the score form one threshold.
 */

/**
 * @param positive - 1 for the positive class, 0 otherwise
 * @param score - higher means more likely positive
 */
export function rocAuc(positive: ArrayLike<number>, score: ArrayLike<number>): number {
  const order = descendingOrder(score);
  let tp = 0;
  let fp = 0;
  let prevTp = 0;
  let prevFp = 0;
  let area = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (positive[i] === 1) tp++;
    else fp++;
    const last = k === order.length - 1 || score[order[k + 1]] !== score[i];
    if (!last) continue;
    area += ((fp - prevFp) * (tp + prevTp)) / 2;
    prevTp = tp;
    prevFp = fp;
  }
  return tp === 0 || fp === 0 ? Number.NaN : area / (tp * fp);
}

export function averagePrecision(positive: ArrayLike<number>, score: ArrayLike<number>): number {
  const order = descendingOrder(score);
  let totalPositive = 0;
  for (let i = 0; i < positive.length; i++) totalPositive += positive[i] === 1 ? 1 : 0;
  if (totalPositive === 0) return Number.NaN;
  let tp = 0;
  let seen = 0;
  let prevRecall = 0;
  let ap = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    seen++;
    if (positive[i] === 1) tp++;
    const last = k === order.length - 1 || score[order[k + 1]] !== score[i];
    if (!last) continue;
    const recall = tp / totalPositive;
    ap += (recall - prevRecall) * (tp / seen);
    prevRecall = recall;
  }
  return ap;
}

function descendingOrder(score: ArrayLike<number>): Int32Array {
  const order = new Int32Array(score.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => score[b] - score[a] || a - b);
}
