/**
 * k-fold cross-validation splits (shuffled with a seed; stratified for classification, as scikit-learn's
 * StratifiedKFold: each class is dealt round-robin over the folds).
 */
import { Random } from "../random.js";

export interface Fold {
  train: Int32Array;
  valid: Int32Array;
}

/** @param labels - class indices for stratification (classification), or undefined */
export function kFolds(n: number, k: number, seed: number, labels?: Float64Array): Fold[] {
  const rng = new Random(seed);
  const foldOf = new Int32Array(n);
  if (labels) {
    const byClass = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const list = byClass.get(labels[i]) ?? [];
      list.push(i);
      byClass.set(labels[i], list);
    }
    // Deal each class's shuffled rows over the folds, continuing where the previous class stopped.
    let next = 0;
    for (const key of [...byClass.keys()].sort((a, b) => a - b)) {
      const rows = Int32Array.from(byClass.get(key) as number[]);
      rng.shuffle(rows);
      for (const i of rows) foldOf[i] = next++ % k;
    }
  } else {
    const perm = rng.permutation(n);
    for (let r = 0; r < n; r++) foldOf[perm[r]] = r % k;
  }
  return Array.from({ length: k }, (_, f) => {
    let m = 0;
    for (let i = 0; i < n; i++) if (foldOf[i] === f) m++;
    const valid = new Int32Array(m);
    const train = new Int32Array(n - m);
    let a = 0;
    let b = 0;
    for (let i = 0; i < n; i++) {
      if (foldOf[i] === f) valid[a++] = i;
      else train[b++] = i;
    }
    return { train, valid };
  });
}
