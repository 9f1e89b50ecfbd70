/**
 * A TreeGrower grows each of its trees in the same memory (forest-task.ts): its bagging overwrites every
 * row's values instead of clearing them first, so a tree grown after others must be the tree a fresh
 * grower grows from the same seed, for classes (3: class rows; 2: packed weights) and for regression.
 */
import { describe, expect, it } from "vitest";
import { type ForestJob, TreeGrower } from "../../../../src/ml/models/hist/forest-task.js";
import { Random } from "../../../../src/ml/random.js";

/** n rows of p features in 8 bins each (row-major bins and their column-major copy); y in k classes (0: real). */
function jobOf(n: number, p: number, k: number): ForestJob {
  const rng = new Random(7);
  const bins = new Uint8Array(n * p);
  const columns = new Uint8Array(n * p);
  for (let i = 0; i < n; i++)
    for (let f = 0; f < p; f++) {
      const b = rng.int(8);
      bins[i * p + f] = b;
      columns[f * n + i] = b;
    }
  // y follows the first feature's bin, with noise, so trees split several levels deep.
  const y = Float64Array.from({ length: n }, (_, i) =>
    k === 0 ? bins[i * p] - 2 * rng.next() : (bins[i * p] + rng.int(2)) % k,
  );
  return {
    bins,
    columns,
    y,
    stride: p,
    n,
    p,
    binCounts: new Int32Array(p).fill(8),
    categories: new Int32Array(p),
    twoBins: new Uint8Array(p),
    nClasses: k,
    bootstrap: true,
    treeParams: {
      criterion: k === 0 ? "squared_error" : "gini",
      maxDepth: Number.POSITIVE_INFINITY,
      minSamplesSplit: 2,
      minSamplesLeaf: 1,
      maxFeatures: 2,
    },
  };
}

describe("TreeGrower", () => {
  for (const k of [3, 2, 0])
    it(`grows the same tree after others as fresh (${k === 0 ? "regression" : `${k} classes`})`, () => {
      const job = jobOf(300, 4, k);
      const reused = new TreeGrower(job);
      for (const seed of [11, 12, 13, 14]) {
        const tree = reused.grow(seed);
        expect(tree).toEqual(new TreeGrower(job).grow(seed));
        expect(tree.nodes).toBeGreaterThan(20);
      }
    });
});
