/** inBagOrders against a plain filter of the presorted orders, and trees' leaves against their rows. */
import { describe, expect, it } from "vitest";
import { buildTree, type TreeInput } from "../../../../src/ml/models/tree/builder.js";
import { inBagOrders, sortedValuesOf } from "../../../../src/ml/models/tree/orders.js";
import { presortColumns } from "../../../../src/ml/models/tree/presort.js";
import { Random } from "../../../../src/ml/random.js";

function table(n: number, p: number, seed: number, weight: Float64Array | null): TreeInput {
  const rng = new Random(seed);
  const Xc = Float64Array.from({ length: n * p }, () => rng.normal());
  const y = Float64Array.from({ length: n }, (_, i) => Xc[i] + rng.normal());
  return { Xc, n, p, y, nClasses: 0, weight, sorted: presortColumns(Xc, n, p) };
}

/** The input with its sorted values (TreeInput.sortedValues) when `kept`. */
function withValues(input: TreeInput, kept: boolean): TreeInput {
  return kept
    ? { ...input, sortedValues: sortedValuesOf(input, new Float64Array(input.n * input.p)) }
    : input;
}

/** The in-bag rows of every feature's order, and their values, by a filter. */
function filtered(input: TreeInput): { ord: number[]; vals: number[] } {
  const { n, p, sorted, Xc, weight } = input;
  const ord: number[] = [];
  const vals: number[] = [];
  for (let f = 0; f < p; f++) {
    for (let t = 0; t < n; t++) {
      const i = sorted[f * n + t];
      if (weight && !(weight[i] > 0)) continue;
      ord.push(i);
      vals.push(Xc[f * n + i]);
    }
  }
  return { ord, vals };
}

describe("inBagOrders", () => {
  const n = 200;
  const p = 3;
  const weights: [string, (i: number, rng: Random) => number][] = [
    ["a bootstrap sample", () => 0],
    ["the last rows of every order out", (i) => +(i < 150)],
    ["every row in", () => 2],
  ];
  for (const [name, weightOf] of weights) {
    it.each([false, true])(`keeps the in-bag rows in order: ${name} (values kept sorted: %s)`, (kept) => {
      const rng = new Random(7);
      const weight = Float64Array.from({ length: n }, (_, i) => weightOf(i, rng));
      if (name === "a bootstrap sample") for (let i = 0; i < n; i++) weight[rng.int(n)]++;
      const input = withValues(table(n, p, 3, weight), kept);
      // Stale contents in the scratch must not show through.
      const ordInto = new Int32Array(n * p).fill(-5);
      const valsInto = new Float64Array(n * p).fill(99);
      const { ord, vals } = inBagOrders(input, ordInto, valsInto);
      const expected = filtered(input);
      expect(Array.from(ord)).toEqual(expected.ord);
      expect(Array.from(vals)).toEqual(expected.vals);
    });
  }

  it.each([false, true])("without weights, is every feature's order and its values (kept: %s)", (kept) => {
    const input = withValues(table(n, p, 4, null), kept);
    const { ord, vals } = inBagOrders(input, new Int32Array(n * p), new Float64Array(n * p));
    const expected = filtered(input);
    expect(Array.from(ord)).toEqual(expected.ord);
    expect(Array.from(vals)).toEqual(expected.vals);
  });
});

describe("buildTree's partitions", () => {
  it("send every in-bag row to the leaf its values reach, and every leaf's value is its rows' mean", () => {
    const n = 300;
    const rng = new Random(11);
    const weight = new Float64Array(n);
    for (let i = 0; i < n; i++) weight[rng.int(n)]++;
    const input = table(n, 2, 12, weight);
    const { tree, leafOfRow } = buildTree(input, {
      criterion: "squared_error",
      maxDepth: 6,
      minSamplesSplit: 2,
      minSamplesLeaf: 1,
      maxFeatures: 2,
      rng: new Random(13),
    });
    const sum = new Float64Array(tree.nodeCount);
    const w = new Float64Array(tree.nodeCount);
    for (let i = 0; i < n; i++) {
      if (weight[i] === 0) {
        expect(leafOfRow[i]).toBe(-1);
        continue;
      }
      let node = 0;
      while (tree.feature[node] >= 0) {
        const x = input.Xc[tree.feature[node] * n + i];
        node = x <= tree.threshold[node] ? tree.left[node] : tree.right[node];
      }
      expect(leafOfRow[i]).toBe(node);
      sum[node] += weight[i] * input.y[i];
      w[node] += weight[i];
    }
    for (let node = 0; node < tree.nodeCount; node++) {
      if (tree.feature[node] < 0) expect(tree.value[node]).toBeCloseTo(sum[node] / w[node], 12);
    }
  });
});
