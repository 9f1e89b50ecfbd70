/** ForestSink: trees grown alone (node ids from 0) laid end to end as one forest, one by one. */
import { describe, expect, it } from "vitest";
import {
  CAT_WORDS,
  FLAG_CATEGORICAL,
  ForestBuilder,
  ForestSink,
  type GrownTree,
} from "../../../../src/ml/models/hist/forest.js";
import { Random } from "../../../../src/ml/random.js";

/** A tree grown alone in its own builder, as a thread returns it (no category slots without categories). */
function grown(build: (b: ForestBuilder) => void): GrownTree {
  const b = new ForestBuilder(2, true);
  build(b);
  const { nodes, nValues, nCat, feature, bin, flags, child, catSlot, values, catBits } = b;
  return {
    nodes,
    nValues,
    nCat,
    feature,
    bin,
    flags,
    child,
    catSlot: nCat > 0 ? catSlot : new Int32Array(0),
    values,
    catBits,
  };
}

/** The forest of these trees, appended to a sink one by one. */
function sunk(trees: GrownTree[]) {
  const sink = new ForestSink(trees.length, 2);
  for (const t of trees) sink.add(t);
  return sink.finish();
}

describe("ForestSink", () => {
  it("offsets each tree's children, leaf outputs and category slots, and stores float32 outputs", () => {
    const bits = new Uint32Array(CAT_WORDS);
    bits[0] = 0b101;
    const a = grown((b) => {
      const left = b.split(b.addRoot(), 3, 7, 0, null);
      b.setLeaf(left, [0.25, 0.75]);
      b.setLeaf(left + 1, [1, 0]);
    });
    const c = grown((b) => {
      const left = b.split(b.addRoot(), 1, 0, FLAG_CATEGORICAL, bits);
      b.setLeaf(left, [0.1, 0.9]);
      b.setLeaf(left + 1, [0.5, 0.5]);
    });
    const f = sunk([a, c]);
    expect(f.nTrees).toBe(2);
    expect(Array.from(f.roots)).toEqual([0, 3]);
    expect(Array.from(f.feature)).toEqual([3, -1, -1, 1, -1, -1]);
    expect(Array.from(f.bin)).toEqual([7, 0, 0, 0, 0, 0]);
    expect(Array.from(f.flags)).toEqual([0, 0, 0, FLAG_CATEGORICAL, 0, 0]);
    // Split nodes point at their left child, leaves at their outputs.
    expect(Array.from(f.child)).toEqual([1, 0, 2, 4, 4, 6]);
    expect(Array.from(f.catSlot)).toEqual([-1, -1, -1, 0, -1, -1]);
    expect(Array.from(f.catBits)).toEqual(Array.from(bits));
    expect(f.values).toBeInstanceOf(Float32Array);
    expect(Array.from(f.values)).toEqual(
      Array.from(new Float32Array([0.25, 0.75, 1, 0, 0.1, 0.9, 0.5, 0.5])),
    );
    expect(f.threshold).toBeUndefined();
  });

  /**
   * A random tree of about `size` leaves, categorical splits with probability `cat`, built into b (a tree's
   * own builder, or one builder for the whole forest).
   */
  function randomTree(b: ForestBuilder, rng: Random, size: number, cat: number): void {
    const open = [b.addRoot()];
    let leaves = 1;
    while (open.length > 0) {
      const node = open.splice(rng.int(open.length), 1)[0];
      if (leaves >= size) {
        b.setLeaf(node, [rng.next(), rng.next()]);
        continue;
      }
      const bits = new Uint32Array(CAT_WORDS);
      bits[0] = rng.int(1000);
      const categorical = rng.next() < cat;
      const left = b.split(
        node,
        rng.int(9),
        rng.int(255),
        categorical ? FLAG_CATEGORICAL : 0,
        categorical ? bits : null,
      );
      open.push(left, left + 1);
      leaves++;
    }
  }

  it("gives what one builder appending the same trees gives (each tree's arrays reused after it is added)", () => {
    for (const [nTrees, cat, growing] of [
      [7, 0, false],
      [9, 0.2, false],
      // Later trees larger than the first ones: the sink's reservation runs out and grows.
      [12, 0.1, true],
    ] as const) {
      const sizes = Array.from({ length: nTrees }, (_, t) => 3 + ((t * 7919) % 30) + (growing ? 40 * t : 0));
      const whole = new ForestBuilder(2, true);
      const rngWhole = new Random(5);
      for (let t = 0; t < nTrees; t++) randomTree(whole, rngWhole, sizes[t], t > 2 ? cat : 0);
      const expected = whole.finish();
      const sink = new ForestSink(nTrees, 2);
      const rng = new Random(5);
      for (let t = 0; t < nTrees; t++) {
        const tree = grown((b) => randomTree(b, rng, sizes[t], t > 2 ? cat : 0));
        sink.add(tree);
        // The sink reads a tree when it is added only: its grower writes the next tree over it.
        tree.feature.fill(77);
        tree.values.fill(9);
        tree.child.fill(-5);
      }
      const f = sink.finish();
      for (const key of [
        "roots",
        "feature",
        "bin",
        "flags",
        "child",
        "values",
        "catSlot",
        "catBits",
      ] as const)
        expect(Array.from(f[key]), key).toEqual(Array.from(expected[key]));
      expect(f.values).toBeInstanceOf(Float32Array);
      expect(f.nTrees).toBe(nTrees);
    }
  });
});
