/**
 * The five data shapes of issue 12, generated with fixed seeds so every run (and the reference) sees the same
 * rows. `scale` shrinks the row counts (0.1 → 100k instead of 1M) for a quick run on a busy machine.
 * - binary-28: 1M × 28, binary (21 raw features and 7 derived ones, as in the HIGGS data)
 * - customers: 150k rows with categoricals, dates and missing values, read from CSV text, binary churn
 * - weak-2: 200k × 2 regression with a weak signal (R² about 0.06)
 * - cover-54: 300k × 54, 7 classes (10 continuous columns, two one-hot groups of 4 and 40, as in covertype)
 * - wide-500: 20k × 500, binary, 20 informative columns
 */
import { readTable } from "../../src/ml/index.js";
import { Random } from "../../src/ml/random.js";
import type { Task } from "../../src/ml/types.js";
import { type Prepared, prepare } from "./prepare.js";

export const SHAPE_NAMES = ["binary-28", "customers", "weak-2", "cover-54", "wide-500"] as const;
export type ShapeName = (typeof SHAPE_NAMES)[number];

export async function shape(name: ShapeName, scale = 1): Promise<Prepared> {
  const rows = (n: number) => Math.max(1000, Math.round(n * scale));
  switch (name) {
    case "binary-28":
      return binary28(rows(1_000_000));
    case "customers":
      return customers(rows(150_000));
    case "weak-2":
      return weak2(rows(200_000));
    case "cover-54":
      return cover54(rows(300_000));
    case "wide-500":
      return wide500(rows(20_000));
  }
}

/** Seeded 80/20 split of generated rows (already on a unit scale, so no preprocessing is needed). */
function split(
  name: string,
  task: Task,
  nClasses: number,
  X: Float64Array,
  y: Float64Array,
  p: number,
): Prepared {
  const n = y.length;
  const nTrain = Math.floor(0.8 * n);
  return {
    name,
    task,
    nClasses,
    Xtrain: { data: X.slice(0, nTrain * p), rows: nTrain, cols: p },
    ytrain: y.slice(0, nTrain),
    Xtest: { data: X.slice(nTrain * p), rows: n - nTrain, cols: p },
    ytest: y.slice(nTrain),
  };
}

function binary28(n: number): Prepared {
  const rng = new Random(1201);
  const p = 28;
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * p;
    for (let j = 0; j < 21; j++) X[o + j] = rng.normal();
    // Derived "high-level" features: products, magnitudes and a ratio-like squash of the raw ones.
    for (let j = 0; j < 7; j++) {
      const a = X[o + 3 * j];
      const b = X[o + 3 * j + 1];
      X[o + 21 + j] = (Math.sqrt(a * a + b * b) - 1.25) / 0.65;
    }
    let s =
      0.4 * X[o] - 0.3 * X[o + 4] + 0.25 * X[o + 7] + 0.6 * X[o + 21] - 0.5 * X[o + 23] + 0.35 * X[o + 26];
    s += 0.5 * X[o + 1] * X[o + 2] - 0.4 * Math.abs(X[o + 10]) + 0.3 * Math.tanh(2 * X[o + 12]);
    y[i] = s + 0.9 * rng.normal() > 0 ? 1 : 0;
  }
  return split("binary-28", "classification", 2, X, y, p);
}

function weak2(n: number): Prepared {
  const rng = new Random(1202);
  const X = new Float64Array(n * 2);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.normal();
    const b = rng.normal();
    X[2 * i] = a;
    X[2 * i + 1] = b;
    y[i] = 0.18 * Math.sin(2 * a) + 0.12 * a * b + 0.08 * (b > 0.5 ? 1 : 0) + rng.normal();
  }
  return split("weak-2", "regression", 0, X, y, 2);
}

function cover54(n: number): Prepared {
  const rng = new Random(1203);
  const p = 54;
  const k = 7;
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  // Fixed class prototypes: per class a weight vector on the continuous columns and a preferred soil range.
  const W = Float64Array.from({ length: k * 10 }, () => rng.normal());
  const soilShift = Float64Array.from({ length: k }, () => rng.int(40));
  const score = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const o = i * p;
    for (let j = 0; j < 10; j++) X[o + j] = rng.normal();
    const area = rng.int(4);
    const soil = Math.min(39, Math.floor(40 * rng.next() ** (1 + area * 0.5)));
    X[o + 10 + area] = 1;
    X[o + 14 + soil] = 1;
    let best = 0;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let j = 0; j < 10; j++) s += W[c * 10 + j] * X[o + j];
      s += Math.abs(soil - soilShift[c]) < 6 ? 1.5 : 0;
      s += c === area ? 0.8 : 0;
      s += X[o] > 0.8 && c === 3 ? 1.5 : 0;
      score[c] = s + 1.2 * rng.normal();
      if (score[c] > score[best]) best = c;
    }
    y[i] = best;
  }
  return split("cover-54", "classification", k, X, y, p);
}

function wide500(n: number): Prepared {
  const rng = new Random(1204);
  const p = 500;
  const X = new Float64Array(n * p);
  const y = new Float64Array(n);
  const w = Float64Array.from({ length: 20 }, () => rng.normal());
  for (let i = 0; i < n; i++) {
    const o = i * p;
    for (let j = 0; j < p; j++) X[o + j] = rng.normal();
    let s = 0;
    for (let j = 0; j < 20; j++) s += w[j] * X[o + j * 7];
    s += 0.8 * X[o + 1] * X[o + 2];
    y[i] = s + 2 * rng.normal() > 0 ? 1 : 0;
  }
  return split("wide-500", "classification", 2, X, y, p);
}

/** Customer-table CSV (numbers, 8- and 4-level categoricals, two dates, ~10% missing), read as a user's file. */
export function customersCsv(n: number, seed = 1205): string {
  const rng = new Random(seed);
  const regions = ["north", "south", "east", "west", "central", "coast", "mountain", "islands"];
  const plans = ["free", "basic", "pro", "enterprise"];
  const lines = ["customer_id,age,income,region,plan,signup_date,last_order,orders,support_calls,churned"];
  const day = 86_400_000;
  const start = Date.UTC(2019, 0, 1);
  const missing = (v: string) => (rng.next() < 0.1 ? "" : v);
  for (let i = 0; i < n; i++) {
    const age = 18 + Math.floor(60 * rng.next());
    const plan = rng.int(4);
    const region = rng.int(8);
    const income = Math.exp(10.5 + 0.5 * rng.normal() + 0.2 * plan);
    const signup = start + Math.floor(1400 * rng.next()) * day;
    const recency = Math.floor(400 * rng.next() ** 2);
    const last = signup + Math.max(0, 1460 * day - (signup - start)) - recency * day;
    const orders = Math.floor(-Math.log(1 - rng.next()) * (3 + 2 * plan));
    const calls = rng.int(6);
    const z =
      -0.5 +
      0.006 * recency -
      0.12 * orders +
      0.25 * calls -
      0.3 * plan +
      (region === 6 ? 0.5 : 0) -
      0.01 * (age - 45);
    const churned = z + rng.normal() > 0 ? "yes" : "no";
    const iso = (t: number) => new Date(t).toISOString().slice(0, 10);
    lines.push(
      [
        `C${100000 + i}`,
        missing(String(age)),
        missing(income.toFixed(2)),
        missing(regions[region]),
        plans[plan],
        iso(signup),
        missing(iso(last)),
        String(orders),
        missing(String(calls)),
        churned,
      ].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
}

async function customers(n: number): Promise<Prepared> {
  const bytes = new TextEncoder().encode(customersCsv(n));
  const frame = await readTable(bytes, {
    fileName: "customers.csv",
    limits: { maxBytes: 2 ** 31, maxRows: 1e7 },
  });
  return prepare("customers", frame, "churned", "classification", 42);
}
