/** A fitted CART tree as flat arrays (node i: feature[i] < 0 marks a leaf; x[feature] <= threshold goes left). */
export interface TreeArrays {
  nodeCount: number;
  /** Values per node: class proportions (classification) or the mean (regression, 1 value). */
  nOut: number;
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  value: Float64Array;
  impurity: Float64Array;
  /** Weighted number of training samples in the node. */
  weight: Float64Array;
}

/** Growable node storage used while building. */
export class NodeStore {
  count = 0;
  feature = new Int32Array(64);
  threshold = new Float64Array(64);
  left = new Int32Array(64);
  right = new Int32Array(64);
  value: Float64Array;
  impurity = new Float64Array(64);
  weight = new Float64Array(64);

  constructor(readonly nOut: number) {
    this.value = new Float64Array(64 * nOut);
  }

  /** Empties the store, keeping its arrays (a forest grows its trees one by one in the same store). */
  clear(): void {
    this.count = 0;
  }

  add(): number {
    if (this.count === this.feature.length) this.grow();
    const id = this.count++;
    this.feature[id] = -1;
    // A leaf's threshold stays 0 (a cleared store holds the last tree's).
    this.threshold[id] = 0;
    this.left[id] = -1;
    this.right[id] = -1;
    return id;
  }

  private grow(): void {
    const cap = this.feature.length * 2;
    const resize = <T extends Int32Array | Float64Array>(a: T, size: number): T => {
      const b = new (a.constructor as new (n: number) => T)(size);
      b.set(a);
      return b;
    };
    this.feature = resize(this.feature, cap);
    this.threshold = resize(this.threshold, cap);
    this.left = resize(this.left, cap);
    this.right = resize(this.right, cap);
    this.impurity = resize(this.impurity, cap);
    this.weight = resize(this.weight, cap);
    this.value = resize(this.value, cap * this.nOut);
  }

  finish(): TreeArrays {
    const n = this.count;
    return {
      nodeCount: n,
      nOut: this.nOut,
      feature: this.feature.slice(0, n),
      threshold: this.threshold.slice(0, n),
      left: this.left.slice(0, n),
      right: this.right.slice(0, n),
      value: this.value.slice(0, n * this.nOut),
      impurity: this.impurity.slice(0, n),
      weight: this.weight.slice(0, n),
    };
  }
}

/** The leaf reached by row `row` of a row-major matrix. */
export function leafOf(t: TreeArrays, data: Float64Array, base: number): number {
  let node = 0;
  const { feature, threshold, left, right } = t;
  while (feature[node] >= 0) node = data[base + feature[node]] <= threshold[node] ? left[node] : right[node];
  return node;
}

/** Adds scale · (leaf values) of every row into out (n × nOut, row-major). */
export function accumulateTree(
  t: TreeArrays,
  data: Float64Array,
  rows: number,
  cols: number,
  out: Float64Array,
  scale: number,
): void {
  const k = t.nOut;
  for (let i = 0; i < rows; i++) {
    const leaf = leafOf(t, data, i * cols);
    for (let c = 0; c < k; c++) out[i * k + c] += scale * t.value[leaf * k + c];
  }
}

/** Impurity decrease per feature, weighted by samples, normalised to sum 1 (scikit-learn's feature_importances_). */
export function impurityImportance(trees: TreeArrays[], nFeatures: number): Float64Array {
  const total = new Float64Array(nFeatures);
  for (const t of trees) {
    const imp = new Float64Array(nFeatures);
    for (let i = 0; i < t.nodeCount; i++) {
      const f = t.feature[i];
      if (f < 0) continue;
      const l = t.left[i];
      const r = t.right[i];
      imp[f] += t.weight[i] * t.impurity[i] - t.weight[l] * t.impurity[l] - t.weight[r] * t.impurity[r];
    }
    let s = 0;
    for (let f = 0; f < nFeatures; f++) s += imp[f];
    if (s > 0) for (let f = 0; f < nFeatures; f++) total[f] += imp[f] / s;
  }
  let s = 0;
  for (let f = 0; f < nFeatures; f++) s += total[f];
  if (s > 0) for (let f = 0; f < nFeatures; f++) total[f] /= s;
  return total;
}
