/**
 * The distance kernel behind k nearest neighbours: a small WebAssembly SIMD module (built from the bytes
 * below, no toolchain) that scans 4 × 4 tiles of queries and training rows, and whose lane arithmetic
 * reproduces the plain scalar loop exactly. V8 re-checks bounds on every typed-array load in a JS inner loop;
 * this kernel is ~3.5× faster than the best tiled JS we measured (15× faster than the plain loop).
 */
import type { Matrix } from "../matrix.js";
import type { KnnFitted } from "../models/knn.js";
import {
  code,
  f64Splat,
  get,
  I32,
  i32Const,
  moduleBinary,
  OP,
  set,
  tee,
  V128,
  v128Load,
  v128Store,
  wasm,
} from "./wasm.js";

/** Query rows searched together: their records and top-k lists stay in cache while training chunks pass. */
export const QUERY_BLOCK = 256;
/** Queries and training rows per kernel tile (4 × 4 distances, two per SIMD lane pair). */
export const TILE = 4;
/**
 * WebAssembly memory holding the training rows in tiles of four, interleaved by feature (row r of tile u,
 * feature j at ((u·p + j)·4 + r)·8), their squared norms, one record per query tile and the kernel's output.
 * A query tile record is [‖q‖² × 4, k-th best × 4, then the 4 queries interleaved by feature].
 */
export interface SearchSpace {
  rows: number;
  cols: number;
  trainTiles: number;
  normsAt: number;
  recordsAt: number;
  recordBytes: number;
  outAt: number;
  f64: Float64Array;
  kernels: Kernels;
}

/** Built once per fitted state (kept beside it, not in the artifact): predicting a row needs no re-copy. */
const spaces = new WeakMap<KnnFitted, SearchSpace>();

export function searchSpace(f: KnnFitted): SearchSpace {
  let space = spaces.get(f);
  if (space === undefined) {
    space = buildSearchSpace(f);
    spaces.set(f, space);
  }
  return space;
}

function buildSearchSpace(f: KnnFitted): SearchSpace {
  const { rows, cols: p } = f;
  const trainTiles = Math.ceil(rows / TILE);
  const normsAt = trainTiles * TILE * p * 8;
  const recordsAt = normsAt + trainTiles * TILE * 8;
  const recordBytes = (2 * TILE + TILE * p) * 8;
  const outAt = recordsAt + (QUERY_BLOCK / TILE) * recordBytes;
  const memory = new wasm.Memory({ initial: Math.ceil((outAt + TILE * TILE * 8) / 65536) });
  const f64 = new Float64Array(memory.buffer);
  for (let t = 0; t < rows; t++) {
    const base = Math.floor(t / TILE) * TILE * p + (t % TILE);
    let norm = 0;
    for (let j = 0; j < p; j++) {
      const v = f.X[t * p + j];
      f64[base + j * TILE] = v;
      norm += v ** 2;
    }
    f64[normsAt / 8 + t] = norm;
  }
  // Padding rows: an infinite norm keeps them out of Euclidean candidates; scanTiles skips them anyway.
  for (let t = rows; t < trainTiles * TILE; t++) f64[normsAt / 8 + t] = Number.POSITIVE_INFINITY;
  const kernels = new wasm.Instance(kernelModule(), { env: { memory } }).exports as unknown as Kernels;
  return { rows, cols: p, trainTiles, normsAt, recordsAt, recordBytes, outAt, f64, kernels };
}

/** Writes each query tile's record: squared norms (as the plain loop sums them), unfilled bests, values. */
export function writeQueryRecords(space: SearchSpace, Q: Matrix, first: number, count: number): void {
  const { cols: p, f64 } = space;
  const tiles = Math.ceil(count / TILE);
  for (let q = 0; q < tiles; q++) {
    const rec = (space.recordsAt + q * space.recordBytes) / 8;
    for (let i = 0; i < TILE; i++) {
      const row = first + q * TILE + i;
      let norm = 0;
      for (let j = 0; j < p; j++) {
        const v = q * TILE + i < count ? Q.data[row * p + j] : 0;
        f64[rec + 2 * TILE + j * TILE + i] = v;
        norm += v ** 2;
      }
      f64[rec + i] = norm;
      f64[rec + TILE + i] = Number.POSITIVE_INFINITY;
    }
  }
}

/**
 * scan(record, from, to, norms, p, out) → byte offset of the first training tile in [from, to) where a
 * distance is below its query's k-th best (its 16 distances written to out, query-major), or `to`.
 */
type Scan = (record: number, from: number, to: number, norms: number, p: number, out: number) => number;
interface Kernels {
  euclidean: Scan;
  manhattan: Scan;
}

let compiledKernels: object | undefined;

function kernelModule(): object {
  compiledKernels ??= new wasm.Module(kernelBinary());
  return compiledKernels;
}

/** Parameters and locals of a scan kernel, by index. */
const RECORD = 0;
const X = 1;
const TO = 2;
const NORMS = 3;
const P = 4;
const OUT = 5;
const QP = 6;
const XP = 7;
const J = 8;
const ROWS01 = 17;
const QUERY = 19;
const HIT = 20;
/** Accumulator of query i against training rows 2h, 2h + 1. */
const acc = (i: number, h: number) => 9 + 2 * i + h;
const PAIRS: Array<[number, number]> = [0, 1, 2, 3].flatMap((i) => [[i, 0] as [number, number], [i, 1]]);

/**
 * One step per feature j: each query's value (splat) against two lanes of training rows. Every distance is
 * accumulated in feature order with IEEE lane arithmetic, so it equals the plain scalar loop's bit for bit.
 */
function featureStep(euclid: boolean): number[] {
  const term = euclid ? OP.mul : code(OP.sub, OP.abs);
  const accumulate = (i: number, h: number) =>
    code(get(acc(i, h)), get(QUERY), get(ROWS01 + h), term, OP.add);
  // biome-ignore format: one line per instruction group
  return code(
    get(XP), v128Load(0), set(ROWS01), get(XP), v128Load(16), set(ROWS01 + 1),
    ...[0, 1, 2, 3].map((i) =>
      code(get(QP), f64Splat(8 * i), set(QUERY), accumulate(i, 0), set(acc(i, 0)), accumulate(i, 1), set(acc(i, 1))),
    ),
    get(QP), i32Const(32), OP.i32Add, set(QP),
    get(XP), i32Const(32), OP.i32Add, set(XP),
    get(J), i32Const(1), OP.i32Sub, tee(J), OP.brIf, [0],
  );
}

/** Turns accumulator (i, h) into distances and ORs "below the query's k-th best" into HIT. */
function testPair(euclid: boolean, i: number, h: number): number[] {
  // (‖q‖² + ‖t‖²) − 2 q·t, in the plain loop's order.
  // biome-ignore format: one line per instruction group
  const toDistance = code(
    get(RECORD), f64Splat(8 * i), get(NORMS), v128Load(16 * h), OP.add,
    get(acc(i, h)), get(acc(i, h)), OP.add, OP.sub, set(acc(i, h)),
  );
  // biome-ignore format: one line per instruction group
  return code(
    euclid ? toDistance : [],
    get(HIT), get(acc(i, h)), get(RECORD), f64Splat(32 + 8 * i), OP.lt, OP.or, set(HIT),
  );
}

/** The tile loop: see Scan. */
function scanBody(euclid: boolean): number[] {
  // biome-ignore format: one line per instruction group
  return code(
    OP.block, OP.loop,
    get(X), get(TO), OP.i32GeU, OP.brIf, [1],
    ...PAIRS.map(([i, h]) => code(OP.zero, set(acc(i, h)))),
    get(RECORD), i32Const(2 * TILE * 8), OP.i32Add, set(QP), get(X), set(XP), get(P), set(J),
    OP.loop, featureStep(euclid), OP.end,
    OP.zero, set(HIT),
    ...PAIRS.map(([i, h]) => testPair(euclid, i, h)),
    get(HIT), OP.anyTrue, OP.if,
    ...PAIRS.map(([i, h]) => code(get(OUT), get(acc(i, h)), v128Store(16 * (2 * i + h)))),
    get(X), OP.return,
    OP.end,
    get(XP), set(X), get(NORMS), i32Const(TILE * 8), OP.i32Add, set(NORMS),
    OP.br, [0],
    OP.end, OP.end,
    get(TO),
  );
}

/** A module importing env.memory and exporting the two scan kernels. */
function kernelBinary(): Uint8Array {
  const body = (euclid: boolean) => ({
    // QP, XP, J; then eight accumulators, ROWS01 and its pair, QUERY and HIT.
    locals: [
      [3, I32],
      [12, V128],
    ] as Array<[number, number]>,
    code: scanBody(euclid),
  });
  return moduleBinary({
    params: [I32, I32, I32, I32, I32, I32],
    result: I32,
    functions: [
      { name: "euclidean", ...body(true) },
      { name: "manhattan", ...body(false) },
    ],
  });
}
