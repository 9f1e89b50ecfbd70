/** concatTrees: trees grown alone (node ids from 0) laid end to end as one forest. */
import { describe, expect, it } from "vitest";
import {
  CAT_WORDS,
  concatTrees,
  FLAG_CATEGORICAL,
  ForestBuilder,
  type GrownTree,
} from "../../../../src/ml/models/hist/forest.js";

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
});
