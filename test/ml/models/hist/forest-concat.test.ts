/** concatTrees: trees grown alone (node ids from 0) laid end to end as one forest. */
import { describe, expect, it } from "vitest";
import {
  CAT_WORDS,
  concatTrees,
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

describe("concatTrees", () => {
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
    const f = concatTrees([a, c], 2);
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

  /** A random tree of about `size` leaves, categorical splits with probability `cat`, as its grower leaves it. */
  function randomTree(rng: Random, size: number, cat: number): GrownTree {
    return grown((b) => {
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
    });
  }

  it("is what ForestSink gives from the same trees appended one by one (arrays reused between trees)", () => {
    const rng = new Random(5);
    for (const [nTrees, cat, growing] of [
      [7, 0, false],
      [9, 0.2, false],
      // Later trees larger than the first ones: the sink's reservation runs out and grows.
      [12, 0.1, true],
    ] as const) {
      const trees = Array.from({ length: nTrees }, (_, t) =>
        randomTree(rng, 3 + rng.int(30) + (growing ? 40 * t : 0), t > 2 ? cat : 0),
      );
      const expected = concatTrees(trees, 2);
      const sink = new ForestSink(nTrees, 2);
      for (const t of trees) {
        sink.add(t);
        // The sink reads a tree when it is added only: its grower writes the next tree over it.
        t.feature.fill(77);
        t.values.fill(9);
        t.child.fill(-5);
      }
      const fromSink = sink.finish();
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
        expect(Array.from(fromSink[key]), key).toEqual(Array.from(expected[key]));
      expect(fromSink.values).toBeInstanceOf(Float32Array);
      expect(fromSink.nOut).toBe(2);
      expect(fromSink.nTrees).toBe(nTrees);
    }
  });
});
