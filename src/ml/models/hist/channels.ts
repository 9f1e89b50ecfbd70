/**
 * Channel histograms for random-forest trees: per feature and bin, C sums. Regression uses (w·y, w);
 * classification one weight per class. The impurity criteria are written against these sums:
 * squared error and Gini use score = Σ_c s_c² / W (the larger, the purer), entropy uses −Σ s_c log(s_c / W);
 * the impurity decrease of a split is score(L) + score(R) − score(parent).
 */
import { HIST_STRIDE } from "./histogram.js";

export type Criterion = "squared_error" | "gini" | "entropy";

/** Bins per feature in a channel histogram: 256 (255 = missing), C sums each. */
export function channelStride(channels: number): number {
  return (HIST_STRIDE / 2) * channels;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Adds rows rows[start..end) (row-major padded bins, `stride` bytes per row) into hist (zeroed first).
 * @param values - C sums per row (row i at values[i · C])
 */
export function buildChannelHistogram(
  bins: Uint8Array,
  stride: number,
  values: Float64Array,
  channels: number,
  rows: Int32Array,
  start: number,
  end: number,
  hist: Float64Array,
): void {
  const C = channels;
  const fs = channelStride(C);
  hist.fill(0, 0, stride * fs);
  if (C === 2 && LITTLE_ENDIAN) {
    buildTwo(bins, stride, values, rows, start, end, hist);
    return;
  }
  for (let k = start; k < end; k++) {
    const i = rows[k];
    const v = i * C;
    const base = i * stride;
    for (let f = 0; f < stride; f++) {
      const at = f * fs + bins[base + f] * C;
      for (let c = 0; c < C; c++) hist[at + c] += values[v + c];
    }
  }
}

/**
 * As buildChannelHistogram for classification: row i adds its weight to its class's channel only (the
 * other channels of its one-hot values are zero), one addition per feature instead of C.
 */
export function buildClassHistogram(
  bins: Uint8Array,
  stride: number,
  classOf: Int32Array,
  rowWeight: Float64Array,
  channels: number,
  rows: Int32Array,
  start: number,
  end: number,
  hist: Float64Array,
): void {
  const C = channels;
  const fs = channelStride(C);
  hist.fill(0, 0, stride * fs);
  for (let k = start; k < end; k++) {
    const i = rows[k];
    const w = rowWeight[i];
    const base = i * stride;
    let at = classOf[i];
    for (let f = 0; f < stride; f++, at += fs) hist[at + bins[base + f] * C] += w;
  }
}

/** Two channels: the GBDT layout, four features per 32-bit load. */
function buildTwo(
  bins: Uint8Array,
  stride: number,
  values: Float64Array,
  rows: Int32Array,
  start: number,
  end: number,
  hist: Float64Array,
): void {
  const words = stride >>> 2;
  const bins32 = new Uint32Array(bins.buffer, bins.byteOffset, bins.byteLength >>> 2);
  for (let k = start; k < end; k++) {
    const i = rows[k];
    const a0 = values[2 * i];
    const a1 = values[2 * i + 1];
    const w0 = i * words;
    for (let w = 0; w < words; w++) {
      const x = bins32[w0 + w];
      const fb = w << 11;
      let a = fb + ((x & 255) << 1);
      hist[a] += a0;
      hist[a + 1] += a1;
      a = fb + 512 + (((x >>> 8) & 255) << 1);
      hist[a] += a0;
      hist[a + 1] += a1;
      a = fb + 1024 + (((x >>> 16) & 255) << 1);
      hist[a] += a0;
      hist[a + 1] += a1;
      a = fb + 1536 + ((x >>> 24) << 1);
      hist[a] += a0;
      hist[a + 1] += a1;
    }
  }
}

/** Score of one set of sums (see the header); `weight` is the total weight W. */
export function score(
  criterion: Criterion,
  sums: Float64Array,
  at: number,
  channels: number,
  weight: number,
): number {
  if (weight <= 0) return 0;
  if (criterion === "squared_error") return (sums[at] * sums[at]) / weight;
  let s = 0;
  if (criterion === "gini") {
    for (let c = 0; c < channels; c++) s += sums[at + c] * sums[at + c];
    return s / weight;
  }
  for (let c = 0; c < channels; c++) {
    const v = sums[at + c];
    if (v > 0) s += v * Math.log(v / weight);
  }
  return s;
}

/** Total weight of one set of sums (channel 1 for squared error, the sum of the class weights otherwise). */
export function weightOf(criterion: Criterion, sums: Float64Array, at: number, channels: number): number {
  if (criterion === "squared_error") return sums[at + 1];
  let w = 0;
  for (let c = 0; c < channels; c++) w += sums[at + c];
  return w;
}
