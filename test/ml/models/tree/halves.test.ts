/**
 * Trees partitioned across two halves of the orders are the trees partitioned in place, and regression nodes of
 * two rows split at once (splitPair) as split splits them.
 */
import { describe, expect, it } from "vitest";
import {
  growTree,
  type TreeInput,
  type TreeOptions,
  TreeScratch,
} from "../../../../src/ml/models/tree/builder.js";
import { presortColumns } from "../../../../src/ml/models/tree/presort.js";
import { Random } from "../../../../src/ml/random.js";

function table(n: number, p: number, nClasses: number, bootstrap: boolean): TreeInput {
  const rng = new Random(11);
  // Rounded values: ties within a feature, and features constant in small nodes.
  const Xc = Float64Array.from({ length: n * p }, () => Math.round(4 * rng.normal()) / 4);
  const y = Float64Array.from({ length: n }, (_, i) => {
    const signal = Xc[i] - Xc[n + i] + rng.normal();
    return nClasses > 0 ? Math.min(nClasses - 1, Math.max(0, Math.floor(signal + nClasses / 2))) : signal;
  });
  let weight: Float64Array | null = null;
  if (bootstrap) {
    weight = new Float64Array(n);
    rng.addBootstrapCounts(weight);
  }
  return { Xc, n, p, y, nClasses, weight, sorted: presortColumns(Xc, n, p) };
}

function grown(
  input: TreeInput,
  opts: Omit<TreeOptions, "rng">,
  layout: { twoHalves: boolean; pairs: boolean },
) {
  const scratch = new TreeScratch(input.n, input.p, Math.max(1, input.nClasses), layout);
  const tree = growTree(input, { ...opts, rng: new Random(5) }, scratch).finish();
  return { tree, leafOfRow: Array.from(scratch.leafOfRow) };
}

const cases: [string, number, TreeOptions["criterion"], number, number][] = [
  ["regression, every feature a split", 0, "squared_error", 1, 3],
  ["regression, 3 rows a leaf", 0, "squared_error", 3, 3],
  ["gini, one feature a split", 3, "gini", 1, 1],
  ["entropy, 2 rows a leaf", 4, "entropy", 2, 2],
];

describe("growTree's layouts", () => {
  for (const [name, nClasses, criterion, minSamplesLeaf, maxFeatures] of cases) {
    for (const bootstrap of [true, false]) {
      it(`${name}${bootstrap ? ", bootstrap weights" : ""}`, () => {
        const input = table(400, 3, nClasses, bootstrap);
        const opts = { criterion, maxDepth: 30, minSamplesSplit: 2, minSamplesLeaf, maxFeatures };
        const across = grown(input, opts, { twoHalves: true, pairs: true });
        expect(across.tree.nodeCount).toBeGreaterThan(40);
        expect(grown(input, opts, { twoHalves: false, pairs: true })).toEqual(across);
        expect(grown(input, opts, { twoHalves: true, pairs: false })).toEqual(across);
        // Every leaf holds at least minSamplesLeaf of the tree's rows.
        const rows = new Map<number, number>();
        for (const leaf of across.leafOfRow) if (leaf >= 0) rows.set(leaf, (rows.get(leaf) ?? 0) + 1);
        expect(Math.min(...rows.values())).toBeGreaterThanOrEqual(minSamplesLeaf);
      });
    }
  }
});

describe("TreeScratch's memory", () => {
  it("gives narrow small tables a second half of the orders and large ones none", () => {
    const small = new TreeScratch(1000, 4, 1);
    expect(small.twoHalves).toBe(true);
    expect(small.ord.length).toBe(2 * 1000 * 4);
    // 300k rows × 4 features: a second half would cost 14 MB more than the in-place partition's buffers.
    const large = new TreeScratch(300_000, 4, 1);
    expect(large.twoHalves).toBe(false);
    expect(large.ord.length).toBe(300_000 * 4);
    expect(large.tmp.length).toBe(300_000);
  });
});
