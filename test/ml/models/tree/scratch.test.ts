/** Trees grown in reused memory (a forest's TreeScratch) are the trees grown in fresh memory. */
import { describe, expect, it } from "vitest";
import { buildTree, growTree, type TreeInput, TreeScratch } from "../../../../src/ml/models/tree/builder.js";
import { presortColumns } from "../../../../src/ml/models/tree/presort.js";
import { Random } from "../../../../src/ml/random.js";

function input(n: number, seed: number, weightSeed: number): TreeInput {
  const rng = new Random(seed);
  const Xc = Float64Array.from({ length: 2 * n }, () => rng.normal());
  const y = Float64Array.from({ length: n }, (_, i) => Xc[i] - Xc[n + i] + rng.normal());
  const w = new Random(weightSeed);
  const weight = new Float64Array(n);
  for (let i = 0; i < n; i++) weight[w.int(n)]++;
  return { Xc, n, p: 2, y, nClasses: 0, weight, sorted: presortColumns(Xc, n, 2) };
}

const options = (seed: number) => ({
  criterion: "squared_error" as const,
  maxDepth: Number.POSITIVE_INFINITY,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  maxFeatures: 1,
  rng: new Random(seed),
});

describe("growTree in a reused TreeScratch", () => {
  it("grows, after a larger tree, the tree buildTree grows in fresh memory (leaf thresholds 0 included)", () => {
    const scratch = new TreeScratch(300, 2, 1);
    growTree(input(300, 1, 2), options(3), scratch);
    const small = input(300, 4, 5);
    small.weight?.fill(0, 100);
    const reused = growTree(small, options(6), scratch).finish();
    const fresh = buildTree(small, options(6)).tree;
    expect(reused.nodeCount).toBeLessThan(300);
    expect(reused).toEqual(fresh);
    expect(Array.from(scratch.leafOfRow)).toEqual(Array.from(buildTree(small, options(6)).leafOfRow));
  });
});
