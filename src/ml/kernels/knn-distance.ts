/**
 * The distance kernel behind k nearest neighbours: a small WebAssembly SIMD module (source:
 * ./wat/knn-distance.wat) that scans 4 × 4 tiles of queries and training rows, and whose lane arithmetic
 * reproduces the plain scalar loop exactly. V8 re-checks bounds on every typed-array load in a JS inner loop;
 * this kernel is ~3.5× faster than the best tiled JS we measured (15× faster than the plain loop).
 */
import type { Matrix } from "../matrix.js";
import type { KnnFitted } from "../models/knn.js";
import { instantiate, kernelModule, wasm } from "./load.js";
import { KNN_DISTANCE_WASM } from "./wasm/knn-distance.js";

const knnKernelModule = kernelModule(KNN_DISTANCE_WASM);

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
  const kernels = instantiate<Kernels>(knnKernelModule(), memory);
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
