/** The boosting losses' one-pass forms against the plain per-row formulas, bit for bit. */
import { describe, expect, it } from "vitest";
import { EXP_CHUNK } from "../../../../src/ml/kernels/exp-lanes.js";
import { binaryLogLoss, type Loss, sigmoid, squaredError } from "../../../../src/ml/models/hist/losses.js";
import { Random } from "../../../../src/ml/random.js";

/** n scores spread over the exp kernel's range and past it (|raw| ≥ 707 goes to Math.exp), and 0/1 labels. */
function scores(n: number, seed: number) {
  const rng = new Random(seed);
  const raw = Float64Array.from({ length: n }, (_, i) =>
    i % 97 === 0 ? 800 * (rng.next() - 0.5) * 2 : 6 * rng.normal(),
  );
  const y = Float64Array.from({ length: n }, () => +(rng.next() < 0.4));
  return { rng, raw, y };
}

describe("binary log-loss", () => {
  const n = EXP_CHUNK + 777;
  it("adds the pending leaf values and takes the gradients in one pass, as the two passes do", () => {
    const { rng, raw, y } = scores(n, 3);
    const nodeOf = Uint16Array.from({ length: n }, () => rng.int(63));
    const nodeValues = Float64Array.from({ length: 64 }, () => rng.normal());
    const loss = binaryLogLoss();
    const twoPass = Float64Array.from(raw);
    for (let i = 0; i < n; i++) twoPass[i] += nodeValues[nodeOf[i]];
    const want = new Float64Array(2 * n);
    loss.gradients(twoPass, y, 0, want, n);
    const got = new Float64Array(2 * n);
    loss.addGradients?.(raw, y, got, n, nodeOf, nodeValues);
    expect(raw).toEqual(twoPass);
    expect(got).toEqual(want);
    for (let i = 0; i < n; i++) expect(got[2 * i]).toBe(sigmoid(raw[i]) - y[i]);
  });

  it("takes the mean loss over a row list or all rows as the per-row formula with sigmoid() does", () => {
    const { rng, raw, y } = scores(n, 5);
    const loss = binaryLogLoss();
    const formula = (rows: Int32Array | null, m: number) => {
      let s = 0;
      for (let k = 0; k < m; k++) {
        const i = rows ? rows[k] : k;
        const p = Math.min(Math.max(sigmoid(raw[i]), 1e-15), 1 - 1e-15);
        s -= y[i] === 1 ? Math.log(p) : Math.log(1 - p);
      }
      return s / Math.max(1, m);
    };
    const rows = Int32Array.from({ length: EXP_CHUNK + 5 }, () => rng.int(n));
    expect(loss.value(raw, y, rows, n)).toBe(formula(rows, rows.length));
    expect(loss.value(raw, y, null, n)).toBe(formula(null, n));
    expect(loss.value(raw, y, null, 0)).toBe(0);
  });
});

describe.each([
  ["binary log-loss", binaryLogLoss],
  ["squared error", squaredError],
])("%s: the training loss in the gradient pass", (_name, make: () => Loss) => {
  const n = 2 * EXP_CHUNK + 321;
  it("returns value() over the ascending curve rows after the pass, bit for bit", () => {
    const { rng, raw, y } = scores(n, 7);
    const nodeOf = Uint16Array.from({ length: n }, () => rng.int(63));
    const nodeValues = Float64Array.from({ length: 64 }, () => rng.normal());
    // Rows in every chunk, at the chunks' edges and the last row.
    const picked = new Set([0, EXP_CHUNK - 1, EXP_CHUNK, n - 1]);
    for (let k = 0; k < 600; k++) picked.add(rng.int(n));
    const curveRows = Int32Array.from([...picked]).sort();
    const loss = make();
    const gh = new Float64Array(2 * n);
    const got = loss.addGradients?.(raw, y, gh, n, nodeOf, nodeValues, curveRows);
    expect(got).toBe(loss.value(raw, y, curveRows, n));
    const all = Int32Array.from({ length: n }, (_, i) => i);
    expect(
      make().addGradients?.(Float64Array.from(raw), y, gh, n, new Uint16Array(n), new Float64Array(64), all),
    ).toBe(loss.value(raw, y, null, n));
  });
});
