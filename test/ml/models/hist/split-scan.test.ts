/**
 * The numeric scan skips a feature's leading bins that hold nothing and its trailing empty bins: against the
 * scan of every bin (the loop before that change, written out here), the same split bit for bit.
 */
import { describe, expect, it } from "vitest";
import { HIST_STRIDE } from "../../../../src/ml/models/hist/histogram.js";
import {
  childHessianBounds,
  emptySplit,
  findBestSplit,
  type Split,
  type SplitRules,
} from "../../../../src/ml/models/hist/split.js";
import { Random } from "../../../../src/ml/random.js";

const MISSING = 255;

/** Every boundary of every feature, as the scan did before it skipped bins (no L1 here). */
function scanAll(
  hist: Float64Array,
  nBins: number,
  p: number,
  G: number,
  H: number,
  count: number,
  r: SplitRules,
) {
  const [minH, maxH] = childHessianBounds({ g: G, h: H, count }, r);
  const parent = (G * G) / (H + r.l2);
  const best = { gain: 0, f: -1, b: 0, left: false, gl: 0, hl: 0 };
  const score = (g: number, h: number) => (g * g) / (h + r.l2);
  for (let f = 0; f < p; f++) {
    const base = f * HIST_STRIDE;
    const gm = hist[base + 2 * MISSING];
    const hm = hist[base + 2 * MISSING + 1];
    const empty = 1e-12 * H;
    let gl = 0;
    let hl = 0;
    for (let b = 0; b < nBins - 1; b++) {
      const hb = hist[base + 2 * b + 1];
      gl += hist[base + 2 * b];
      hl += hb;
      const taken = !(hb < empty && hb > -empty);
      const gain = score(gl, hl) + score(G - gl, H - hl) - parent;
      if (gain > best.gain && hl >= minH && hl <= maxH && taken)
        Object.assign(best, { gain, f, b, left: hm > 0 ? false : hl >= H - hl, gl, hl });
      if (!(hm > 0)) continue;
      const gl2 = gl + gm;
      const hl2 = hl + hm;
      const gain2 = score(gl2, hl2) + score(G - gl2, H - hl2) - parent;
      if (gain2 > best.gain && hl2 >= minH && hl2 <= maxH && taken)
        Object.assign(best, { gain: gain2, f, b, left: true, gl: gl2, hl: hl2 });
    }
  }
  return best;
}

describe("numeric split scan over a deep node's narrow bin range", () => {
  const rules: SplitRules = {
    l1: 0,
    l2: 1,
    minChildWeight: 1,
    minSamplesLeaf: 0,
    maxCatToOnehot: 4,
    catSmooth: 10,
    catL2: 10,
  };
  it("finds the split the full scan finds, on histograms with leading, trailing and inner empty bins", () => {
    let found = 0;
    for (let seed = 0; seed < 24; seed++) found += compare(seed);
    // Most of them have a split to find.
    expect(found).toBeGreaterThan(12);
  });

  /** 1 when the scans found a split (the same one), 0 when neither did. */
  function compare(seed: number): number {
    const rng = new Random(seed);
    const p = 3;
    const nBins = 255;
    const hist = new Float64Array(p * HIST_STRIDE);
    for (let f = 0; f < p; f++) {
      const base = f * HIST_STRIDE;
      // Rows in bins [from, to) only, some of them empty; a subtraction's residues around them.
      const from = rng.int(200);
      const to = Math.min(nBins, from + 1 + rng.int(60));
      for (let b = from; b < to; b++) {
        if (rng.next() < 0.3) continue;
        hist[base + 2 * b] = rng.normal() * 3;
        hist[base + 2 * b + 1] = 1 + rng.int(20);
      }
      if (seed % 2 === 1 && from > 0) hist[base + 2 * (from - 1)] = 0.37; // g without h: not skipped
      if (seed % 3 === 1 && to < nBins - 1) {
        hist[base + 2 * to] = 3e-16;
        hist[base + 2 * to + 1] = -2e-17; // an empty bin (|h| below 1e-12 · H) with a g residue
      }
      if (seed % 4 >= 2) {
        hist[base + 2 * MISSING] = rng.normal();
        hist[base + 2 * MISSING + 1] = 1 + rng.int(5);
      }
    }
    // Node sums from feature 0 (as the grower takes them); the others' cells are scaled to them.
    let G = 0;
    let H = 0;
    for (let b = 0; b <= MISSING; b++) {
      G += hist[2 * b];
      H += hist[2 * b + 1];
    }
    const want = scanAll(hist, nBins, p, G, H, 1000, rules);
    const got: Split = emptySplit();
    findBestSplit(
      hist,
      Int32Array.from({ length: p }, (_, f) => f),
      new Int32Array(p).fill(nBins),
      new Int32Array(p),
      { g: G, h: H, count: 1000 },
      rules,
      got,
    );
    expect([got.feature, got.bin, got.defaultLeft, got.gain, got.gL, got.hL]).toEqual([
      want.f,
      want.b,
      want.left,
      want.gain,
      want.gl,
      want.hl,
    ]);
    return +(want.f >= 0);
  }
});
