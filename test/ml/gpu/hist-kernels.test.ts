import { describe, expect, it } from "vitest";
import { HistDevice, type HistogramMode } from "../../../src/ml/gpu/hist-device.js";
import { MISSING_BIN } from "../../../src/ml/models/hist/binning.js";
import { buildHistogram, HIST_STRIDE, rowStride } from "../../../src/ml/models/hist/histogram.js";
import { emptySplit, findBestSplit } from "../../../src/ml/models/hist/split.js";
import { Random } from "../../../src/ml/random.js";
import { useGpu } from "./helpers.js";

const gpu = useGpu();

const P = 6;
const N = 5000;
const STRIDE = rowStride(P);
const BINS = 20;

/** Binned rows with ~10 % missing (bin 255) and integer-valued gradients, so float sums are exact. */
function data(seed: number) {
  const rng = new Random(seed);
  const bins = new Uint8Array(N * STRIDE);
  for (let i = 0; i < N; i++)
    for (let f = 0; f < P; f++) bins[i * STRIDE + f] = rng.next() < 0.1 ? MISSING_BIN : rng.int(BINS);
  const gh = new Float64Array(2 * N);
  for (let i = 0; i < N; i++) {
    gh[2 * i] = rng.int(7) - 3;
    gh[2 * i + 1] = 1 + rng.int(2);
  }
  const rowNode = Int32Array.from({ length: N }, () => rng.int(3) - 1);
  return { bins, gh, rowNode };
}

function cpuHistogram(bins: Uint8Array, gh: Float64Array, rowNode: Int32Array, node: number): Float64Array {
  const rows = Int32Array.from(Array.from(rowNode).flatMap((n, i) => (n === node ? [i] : [])));
  const hist = new Float64Array(STRIDE * HIST_STRIDE);
  buildHistogram(bins, STRIDE, gh, rows, 0, rows.length, hist);
  return hist;
}

describe("GPU histogram kernels (SwiftShader)", () => {
  for (const mode of ["float", "quantised"] as HistogramMode[]) {
    it(`${mode}: per-node histograms with missing bins equal the CPU's exactly`, async () => {
      const { bins, gh, rowNode } = data(mode === "float" ? 1 : 2);
      const dev = new HistDevice(gpu(), bins, N, STRIDE, P, 2, mode);
      try {
        dev.setGradients(gh);
        dev.setRowNodes(rowNode);
        // Node 0 into slot 1 and node 1 into slot 0: the slot table decides where rows go.
        dev.buildHistograms(Int32Array.of(1, 0), [0, 1]);
        const node0 = await dev.histogram(1);
        const node1 = await dev.histogram(0);
        const want0 = cpuHistogram(bins, gh, rowNode, 0);
        const want1 = cpuHistogram(bins, gh, rowNode, 1);
        expect(Array.from(node0)).toEqual(Array.from(want0));
        expect(Array.from(node1)).toEqual(Array.from(want1));
        expect(node0[2 * MISSING_BIN + 1]).toBeGreaterThan(0);
        // The subtraction trick: slot 1 − slot 0 into slot 1 equals the difference of the CPU histograms.
        dev.subtract([[1, 0, 1]]);
        const diff = await dev.histogram(1);
        for (let k = 0; k < diff.length; k++) expect(diff[k]).toBe(want0[k] - want1[k]);
      } finally {
        dev.destroy();
      }
    });
  }

  it("quantised gradients (non-integer values) stay within one quantum per row of the float sums", async () => {
    const { bins, rowNode } = data(3);
    const rng = new Random(9);
    const gh = Float64Array.from({ length: 2 * N }, (_, k) =>
      k % 2 === 0 ? rng.next() * 2 - 1 : 0.25 * rng.next(),
    );
    const dev = new HistDevice(gpu(), bins, N, STRIDE, P, 1, "quantised");
    try {
      dev.setGradients(gh);
      dev.setRowNodes(rowNode);
      dev.buildHistograms(Int32Array.of(0, -1), [0]);
      const got = await dev.histogram(0);
      const want = cpuHistogram(bins, gh, rowNode, 0);
      const quantum = 1 / Math.min(dev.scale.g, dev.scale.h);
      for (let k = 0; k < got.length; k++)
        expect(Math.abs(got[k] - want[k])).toBeLessThan(N * quantum * 0.5 + 1e-3);
    } finally {
      dev.destroy();
    }
  });

  it("split finding picks the CPU's split (feature, bin, default side) on the same histogram", async () => {
    const { bins, rowNode } = data(4);
    const rng = new Random(5);
    // A signal on feature 3 and missing rows that lean negative, so the missing side matters.
    const gh = new Float64Array(2 * N);
    for (let i = 0; i < N; i++) {
      const b = bins[i * STRIDE + 3];
      gh[2 * i] = b === MISSING_BIN ? -2 : b < 8 ? 1 : -1 + (rng.int(3) - 1) * 0.25;
      gh[2 * i + 1] = 1;
    }
    const dev = new HistDevice(gpu(), bins, N, STRIDE, P, 2, "float");
    try {
      dev.setGradients(gh);
      dev.setRowNodes(rowNode);
      dev.buildHistograms(Int32Array.of(0, 1), [0, 1]);
      const binCounts = new Int32Array(P).fill(BINS + 1);
      const rules = { l1: 0, l2: 1, minChildWeight: 1e-3, minSamplesLeaf: 20 };
      for (const node of [0, 1]) {
        const hist = await dev.histogram(node);
        let g = 0;
        let h = 0;
        for (let i = 0; i < N; i++)
          if (rowNode[i] === node) {
            g += gh[2 * i];
            h += gh[2 * i + 1];
          }
        const count = rowNode.filter((n) => n === node).length;
        const want = emptySplit();
        findBestSplit(
          hist,
          Int32Array.from({ length: P }, (_, f) => f),
          binCounts,
          new Int32Array(P),
          { g, h, count },
          { ...rules, maxCatToOnehot: 4, catSmooth: 10, catL2: 10 },
          want,
        );
        const [got] = await dev.findSplits(
          [{ slot: node, g, h, count }],
          binCounts,
          new Uint32Array(P).fill(1),
          rules,
        );
        expect(got.feature).toBe(want.feature);
        expect(got.bin).toBe(want.bin);
        expect(got.defaultLeft).toBe(want.defaultLeft);
        expect(got.gain).toBeCloseTo(want.gain, 1);
        expect(got.hL).toBe(want.hL);
      }
    } finally {
      dev.destroy();
    }
  });

  it("partition sends each row to the side its bin (or the default for missing) selects and counts them", async () => {
    const { bins, gh, rowNode } = data(6);
    const dev = new HistDevice(gpu(), bins, N, STRIDE, P, 1, "float");
    try {
      dev.setGradients(gh);
      dev.setRowNodes(rowNode);
      // Node 0 splits on feature 5 at bin 9, missing left, into nodes 2 and 3; node 1 stays a leaf.
      const splits = Int32Array.of(5, 9, 1, 2, 0, 0, 0, -1, 0, 0, 0, -1, 0, 0, 0, -1);
      const counts = await dev.partition(splits, 4);
      const moved = await dev.rowNodes();
      const want = new Uint32Array(4);
      for (let i = 0; i < N; i++) {
        if (rowNode[i] !== 0) {
          expect(moved[i]).toBe(rowNode[i]);
          continue;
        }
        const b = bins[i * STRIDE + 5];
        const child = b === MISSING_BIN || b <= 9 ? 2 : 3;
        expect(moved[i]).toBe(child);
        want[child]++;
      }
      expect(Array.from(counts.subarray(2, 4))).toEqual(Array.from(want.subarray(2, 4)));
    } finally {
      dev.destroy();
    }
  });
});
