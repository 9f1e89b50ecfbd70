/**
 * Drift between the data a model was trained on (its training profile) and new data, feature by feature:
 * the population stability index, a two-sample Kolmogorov–Smirnov test (numbers), the share of values
 * outside the training range (numbers) and categories the model never saw. And, per row, whether it lies
 * outside the training domain (a number beyond the training range, or an unseen category).
 */
import { present } from "../stats/descriptive.js";
import type { Column, Frame, ModelDocument } from "../types.js";
import { checkSchema } from "../validation.js";
import {
  type CategoricalProfile,
  categoryAt,
  countAtMost,
  type NumericProfile,
  profileOfDocument,
} from "./profile.js";

/** A feature drifts when its PSI exceeds this (the usual "significant shift" threshold). */
export const PSI_LIMIT = 0.2;
/** … or the KS test rejects at this level … */
export const KS_ALPHA = 0.01;
/** … or more than this share of its values falls outside the training range … */
export const OUTSIDE_LIMIT = 0.05;
/** … or a category the model never saw appears. Shares are floored here so that PSI stays finite. */
const PSI_FLOOR = 1e-4;

export type DriftReason = "psi" | "ks" | "range" | "unseen";

export interface FeatureDrift {
  feature: string;
  kind: "numeric" | "categorical";
  psi: number;
  ks?: { d: number; pValue: number };
  outside?: { share: number; min: number; max: number };
  median?: { training: number; now: number };
  unseen?: { share: number; count: number; examples: string[] };
  missing: { training: number; now: number };
  reasons: DriftReason[];
}

export interface DriftReport {
  /** Rows of the new data. */
  rows: number;
  /** Features compared. */
  checked: number;
  /** The features that drift, the largest PSI first. */
  drifting: FeatureDrift[];
}

/**
 * The drift of every profiled feature; undefined when the model has no training profile. Only the model's
 * features and profile are read (a sandbox gets just those).
 */
export function checkDrift(
  model: Pick<ModelDocument, "features"> & { trainingProfile?: unknown },
  frame: Frame,
): DriftReport | undefined {
  const profile = profileOfDocument(model);
  if (!profile) return undefined;
  const byName = new Map(profile.features.map((p) => [p.name, p]));
  const { columns } = checkSchema(model.features, frame);
  const all: FeatureDrift[] = [];
  model.features.forEach((f, j) => {
    const p = byName.get(f.name);
    if (!p) return;
    all.push(
      p.kind === "numeric"
        ? numericDrift(p, columns[j], frame.nRows)
        : categoricalDrift(p, columns[j], frame.nRows, f.type === "boolean"),
    );
  });
  return {
    rows: frame.nRows,
    checked: all.length,
    drifting: all.filter((d) => d.reasons.length > 0).sort((a, b) => b.psi - a.psi),
  };
}

/** Per row: 1 when a feature's number is outside its training range or its category was never seen. */
export function outsideTrainingDomain(model: ModelDocument, frame: Frame): Uint8Array | undefined {
  const profile = profileOfDocument(model);
  if (!profile) return undefined;
  const byName = new Map(profile.features.map((p) => [p.name, p]));
  const { columns } = checkSchema(model.features, frame);
  const flags = new Uint8Array(frame.nRows);
  model.features.forEach((f, j) => {
    const p = byName.get(f.name);
    const col = columns[j];
    if (!p || p.n === 0) return;
    if (p.kind === "numeric" && "values" in col) {
      for (let i = 0; i < frame.nRows; i++) if (col.values[i] < p.min || col.values[i] > p.max) flags[i] = 1;
    } else if (p.kind === "categorical" && !p.truncated) {
      const known = new Set(p.levels.map((l) => l.value));
      for (let i = 0; i < frame.nRows; i++) {
        const value = categoryAt(col, i, f.type === "boolean");
        if (value !== undefined && !known.has(value)) flags[i] = 1;
      }
    }
  });
  return flags;
}

function numericDrift(p: NumericProfile, col: Column, nRows: number): FeatureDrift {
  const values = "values" in col ? present(col.values).sort() : new Float64Array(0);
  const m = values.length;
  const missing = { training: p.missingRate, now: nRows === 0 ? 0 : 1 - m / nRows };
  if (m === 0 || p.n === 0) return { feature: p.name, kind: "numeric", psi: 0, missing, reasons: [] };
  let d = 0;
  p.cuts.forEach((c, k) => {
    d = Math.max(d, Math.abs(countAtMost(values, c) / m - p.cdf[k]));
  });
  // Just below the training minimum the training CDF is 0.
  d = Math.max(d, countBelow(values, p.min) / m);
  const ks = { d, pValue: kolmogorovUpper(Math.sqrt((p.n * m) / (p.n + m)) * d) };
  const outsideCount = m - countAtMost(values, p.max) + countBelow(values, p.min);
  const outside = { share: outsideCount / m, min: p.min, max: p.max };
  const psi = numericPsi(p, values, missing.now);
  const reasons: DriftReason[] = [];
  if (psi > PSI_LIMIT) reasons.push("psi");
  if (ks.pValue < KS_ALPHA) reasons.push("ks");
  if (outside.share > OUTSIDE_LIMIT) reasons.push("range");
  const median = { training: p.median, now: values[Math.floor((m - 1) / 2)] };
  return { feature: p.name, kind: "numeric", psi, ks, outside, median, missing, reasons };
}

/** PSI over the training deciles (exact shares from the profile's CDF) plus a bin for missing values. */
function numericPsi(p: NumericProfile, values: Float64Array, missingNow: number): number {
  const edges: number[] = [];
  for (let decile = 1; decile < 10; decile++) {
    const k = p.cdf.findIndex((c) => c >= decile / 10);
    if (k >= 0 && (edges.length === 0 || p.cuts[k] > edges[edges.length - 1])) edges.push(p.cuts[k]);
  }
  const m = values.length;
  const expected: number[] = [];
  const actual: number[] = [];
  let prevTrain = 0;
  let prevNew = 0;
  for (const edge of [...edges, Number.POSITIVE_INFINITY]) {
    const train = edge === Number.POSITIVE_INFINITY ? 1 : p.cdf[p.cuts.indexOf(edge)];
    const now = edge === Number.POSITIVE_INFINITY ? m : countAtMost(values, edge);
    expected.push((train - prevTrain) * (1 - p.missingRate));
    actual.push(((now - prevNew) / m) * (1 - missingNow));
    prevTrain = train;
    prevNew = now;
  }
  expected.push(p.missingRate);
  actual.push(missingNow);
  return psiOf(expected, actual);
}

function categoricalDrift(
  p: CategoricalProfile,
  col: Column,
  nRows: number,
  asBoolean: boolean,
): FeatureDrift {
  const counts = new Map<string, number>();
  let m = 0;
  for (let i = 0; i < nRows; i++) {
    const value = categoryAt(col, i, asBoolean);
    if (value === undefined) continue;
    counts.set(value, (counts.get(value) ?? 0) + 1);
    m++;
  }
  const missing = { training: p.missingRate, now: nRows === 0 ? 0 : 1 - m / nRows };
  if (m === 0 || p.n === 0) return { feature: p.name, kind: "categorical", psi: 0, missing, reasons: [] };
  const known = new Set(p.levels.map((l) => l.value));
  const unseenValues = p.truncated
    ? []
    : [...counts].filter(([v]) => !known.has(v)).sort((a, b) => b[1] - a[1]);
  const unseenCount = unseenValues.reduce((s, [, c]) => s + c, 0);
  const listed = p.levels.reduce((s, l) => s + l.share, 0);
  const present = (share: number, missingRate: number) => share * (1 - missingRate);
  const expected = [
    ...p.levels.map((l) => present(l.share, p.missingRate)),
    present(1 - listed, p.missingRate),
    0,
    p.missingRate,
  ];
  let otherNow = m - unseenCount;
  for (const l of p.levels) otherNow -= counts.get(l.value) ?? 0;
  const actual = [
    ...p.levels.map((l) => present((counts.get(l.value) ?? 0) / m, missing.now)),
    present(otherNow / m, missing.now),
    present(unseenCount / m, missing.now),
    missing.now,
  ];
  const psi = psiOf(expected, actual);
  const unseen = {
    share: unseenCount / m,
    count: unseenValues.length,
    examples: unseenValues.slice(0, 3).map(([v]) => v),
  };
  const reasons: DriftReason[] = [];
  if (psi > PSI_LIMIT) reasons.push("psi");
  if (unseen.count > 0) reasons.push("unseen");
  return { feature: p.name, kind: "categorical", psi, unseen, missing, reasons };
}

/** Σ (a − e)·ln(a / e) over the bins, each share floored at PSI_FLOOR; empty bins on both sides count 0. */
function psiOf(expected: number[], actual: number[]): number {
  let psi = 0;
  expected.forEach((e, k) => {
    if (e <= 0 && actual[k] <= 0) return;
    const a = Math.max(actual[k], PSI_FLOOR);
    const x = Math.max(e, PSI_FLOOR);
    psi += (a - x) * Math.log(a / x);
  });
  return psi;
}

/**
 * The Kolmogorov distribution's upper tail Q(λ) = 2 Σ (−1)^(k−1) e^(−2k²λ²): the asymptotic p-value of the
 * two-sample KS statistic D with λ = √(n·m/(n+m))·D.
 */
export function kolmogorovUpper(lambda: number): number {
  if (lambda < 0.2) return 1;
  let sum = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-16) break;
  }
  return Math.max(0, Math.min(1, 2 * sum));
}

/** How many of the ascending values are < x. */
function countBelow(sorted: Float64Array, x: number): number {
  let n = countAtMost(sorted, x);
  while (n > 0 && sorted[n - 1] === x) n--;
  return n;
}
