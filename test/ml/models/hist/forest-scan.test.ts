/**
 * The forest's split scan over one feature's entries: the Gini scan over several classes (incremental sums
 * of squares) finds the boundary a direct computation of every boundary's gain finds.
 */
import { describe, expect, it } from "vitest";
import { score } from "../../../../src/ml/models/hist/channels.js";
import { scanFeature } from "../../../../src/ml/models/hist/forest-scan.js";
import { emptyBest, type ForestData, ForestScratch } from "../../../../src/ml/models/hist/forest-scratch.js";
import { Random } from "../../../../src/ml/random.js";

const C = 4;

/** Gain of the boundary after entry e, from the class sums of each side. */
function directGain(s: ForestScratch, nE: number, e: number, parent: number): number {
  const left = new Float64Array(C);
  const right = new Float64Array(C);
  for (let k = 0; k < nE; k++)
    for (let c = 0; c < C; c++) (k <= e ? left : right)[c] += s.entrySums[k * C + c];
  const w = (a: Float64Array) => a.reduce((t, v) => t + v, 0);
  return score("gini", left, 0, C, w(left)) + score("gini", right, 0, C, w(right)) - parent;
}

describe("forest split scan", () => {
  it("finds the boundary of largest Gini gain over several classes", () => {
    const rng = new Random(4);
    for (let trial = 0; trial < 20; trial++) {
      const s = new ForestScratch(10, 1, C, 0);
      const nE = 2 + rng.int(40);
      s.sums.fill(0);
      for (let e = 0; e < nE; e++) {
        s.entryBin[e] = 3 * e + rng.int(3);
        // Sparse entries, as small nodes give: most classes absent from a bin.
        for (let c = 0; c < C; c++) s.entrySums[e * C + c] = rng.next() < 0.4 ? 1 + rng.int(3) : 0;
        for (let c = 0; c < C; c++) s.sums[c] += s.entrySums[e * C + c];
      }
      const W = s.sums.reduce((t, v) => t + v, 0);
      const parent = score("gini", s.sums, 0, C, W);
      const data = { channels: C, categories: new Int32Array(1) } as unknown as ForestData;
      const params = {
        criterion: "gini" as const,
        maxDepth: 9,
        minSamplesSplit: 2,
        minSamplesLeaf: 1,
        maxFeatures: 1,
      };
      const best = emptyBest();
      scanFeature(data, 0, nE, params, parent, W, s, best);
      let expected = -1;
      let expectedGain = 0;
      for (let e = 0; e < nE - 1; e++) {
        const gain = directGain(s, nE, e, parent);
        if (gain > expectedGain) {
          expectedGain = gain;
          expected = e;
        }
      }
      if (expected < 0) {
        expect(best.feature).toBe(-1);
        continue;
      }
      expect(best.bin).toBe(s.entryBin[expected]);
      expect(best.gain).toBeCloseTo(expectedGain, 9);
    }
  });
});
