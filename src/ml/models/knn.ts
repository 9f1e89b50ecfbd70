/**
 * k nearest neighbours by brute force (exact), as scikit-learn's KNeighborsClassifier/Regressor with the
 * brute algorithm: Euclidean (via ‖a‖² + ‖b‖² − 2a·b, exact enough for ranking) or Manhattan distance,
 * uniform or inverse-distance weights; ties in votes go to the lowest class index. Distances come from a
 * small WebAssembly SIMD kernel over 4 × 4 tiles of queries and training rows (built from bytes below, no
 * toolchain), whose lane arithmetic reproduces the scalar loop exactly; the top-k bookkeeping stays here.
 */
import type { Matrix } from "../matrix.js";
import { Classifier, checkFitInput, type FitContext, Regressor } from "./base.js";

export interface KnnParams {
  nNeighbors: number;
  weights: "uniform" | "distance";
  metric: "euclidean" | "manhattan";
}

export interface KnnFitted {
  X: Float64Array;
  y: Float64Array;
  rows: number;
  cols: number;
}

/** Keeps the training rows by reference, as scikit-learn does (the design matrix is not changed later). */
function store(X: Matrix, y: Float64Array): KnnFitted {
  return { X: X.data.subarray(0, X.rows * X.cols), y: y.slice(), rows: X.rows, cols: X.cols };
}

/** Query rows searched together: their records and top-k lists stay in cache while training chunks pass. */
const QUERY_BLOCK = 256;
/** Queries and training rows per kernel tile (4 × 4 distances, two per SIMD lane pair). */
const TILE = 4;
/** Training tiles scanned per pass over a query block (~512 KB at p = 20: stays in L2). */
const CHUNK_BYTES = 1 << 19;

/** The running k best of each query slot: squared distances ascending (Infinity while unfilled), their rows. */
interface TopK {
  dist: Float64Array;
  idx: Int32Array;
  k: number;
}

/**
 * Calls visit(row, neighbourIndices, distances) with the k nearest training rows of each query row,
 * nearest first; on equal distance the lower training index comes first.
 */
function forEachNeighbourhood(
  f: KnnFitted,
  Q: Matrix,
  params: KnnParams,
  visit: (row: number, idx: Int32Array, dist: Float64Array) => void,
): void {
  const k = Math.min(params.nNeighbors, f.rows);
  const euclid = params.metric === "euclidean";
  const space = searchSpace(f);
  const top: TopK = { dist: new Float64Array(QUERY_BLOCK * k), idx: new Int32Array(QUERY_BLOCK * k), k };
  const idx = new Int32Array(k);
  const dist = new Float64Array(k);
  for (let first = 0; first < Q.rows; first += QUERY_BLOCK) {
    const count = Math.min(QUERY_BLOCK, Q.rows - first);
    const tiles = Math.ceil(count / TILE);
    writeQueryRecords(space, Q, first, count);
    top.dist.fill(Number.POSITIVE_INFINITY);
    searchBlock(space, tiles, euclid, top);
    for (let s = 0; s < count; s++) {
      for (let r = 0; r < k; r++) {
        const d = top.dist[s * k + r];
        dist[r] = euclid ? Math.sqrt(d) : d;
        idx[r] = top.idx[s * k + r];
      }
      visit(first + s, idx, dist);
    }
  }
}

/** Scans the training tiles in L2-sized chunks against every query tile of the block. */
function searchBlock(space: SearchSpace, tiles: number, euclid: boolean, top: TopK): void {
  const tileBytes = TILE * space.cols * 8;
  const chunkTiles = Math.max(1, Math.floor(CHUNK_BYTES / tileBytes));
  for (let from = 0; from < space.trainTiles; from += chunkTiles) {
    const to = Math.min(space.trainTiles, from + chunkTiles);
    for (let q = 0; q < tiles; q++) scanTiles(space, q, from, to, euclid, top);
  }
}

/**
 * Runs the kernel over training tiles [from, to) for query tile q. The kernel stops at the first tile where
 * some distance beats its query's current k-th best; those are offered here in row order, then it resumes.
 */
function scanTiles(space: SearchSpace, q: number, from: number, to: number, euclid: boolean, top: TopK) {
  const { cols: p, rows: m, f64 } = space;
  const tileBytes = TILE * p * 8;
  const record = space.recordsAt + q * space.recordBytes;
  const scan = euclid ? space.kernels.euclidean : space.kernels.manhattan;
  let tile = from;
  while (tile < to) {
    const at = scan(
      record,
      tile * tileBytes,
      to * tileBytes,
      space.normsAt + tile * TILE * 8,
      p,
      space.outAt,
    );
    if (at >= to * tileBytes) break;
    tile = at / tileBytes;
    for (let i = 0; i < TILE; i++) {
      const s = q * TILE + i;
      for (let r = 0; r < TILE && tile * TILE + r < m; r++) {
        const d = f64[space.outAt / 8 + i * TILE + r];
        if (d < worst(top, s)) offer(top, s, tile * TILE + r, euclid ? Math.max(0, d) : d);
      }
      f64[record / 8 + TILE + i] = worst(top, s);
    }
    tile++;
  }
}

function worst(top: TopK, s: number): number {
  return top.dist[s * top.k + top.k - 1];
}

/**
 * Inserts training row t at distance d into slot s's sorted list, dropping the worst; an equal distance
 * stays behind the rows already there (lower indices, as rows arrive in order).
 */
function offer(top: TopK, s: number, t: number, d: number): void {
  const { dist, idx, k } = top;
  const base = s * k;
  if (!(d < dist[base + k - 1])) return;
  let r = k - 1;
  while (r > 0 && dist[base + r - 1] > d) {
    dist[base + r] = dist[base + r - 1];
    idx[base + r] = idx[base + r - 1];
    r--;
  }
  dist[base + r] = d;
  idx[base + r] = t;
}

/**
 * WebAssembly memory holding the training rows in tiles of four, interleaved by feature (row r of tile u,
 * feature j at ((u·p + j)·4 + r)·8), their squared norms, one record per query tile and the kernel's output.
 * A query tile record is [‖q‖² × 4, k-th best × 4, then the 4 queries interleaved by feature].
 */
interface SearchSpace {
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

function searchSpace(f: KnnFitted): SearchSpace {
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
function writeQueryRecords(space: SearchSpace, Q: Matrix, first: number, count: number): void {
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

/** The parts of the WebAssembly global used here (the project's libs type its namespace, not its value). */
interface WasmApi {
  Memory: new (size: { initial: number }) => { buffer: ArrayBuffer };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: object };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

let compiledKernels: object | undefined;

function kernelModule(): object {
  compiledKernels ??= new wasm.Module(kernelBinary());
  return compiledKernels;
}

/** WebAssembly instructions used by the kernels (SIMD ones follow the 0xfd prefix), as byte arrays. */
const get = (local: number) => [0x20, local];
const set = (local: number) => [0x21, local];
const tee = (local: number) => [0x22, local];
/** i32.const takes signed LEB128 (64 is 0xc0 0x00). */
const i32Const = (n: number) => [0x41, ...sleb(n)];
const memarg = (offset: number) => [0, ...uleb(offset)];
const v128Load = (offset: number) => [0xfd, 0x00, ...memarg(offset)];
const v128Store = (offset: number) => [0xfd, 0x0b, ...memarg(offset)];
const f64Splat = (offset: number) => [0xfd, 0x0a, ...memarg(offset)];
const OP = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: [0x0b],
  br: [0x0c],
  brIf: [0x0d],
  return: [0x0f],
  i32GeU: [0x4f],
  i32Add: [0x6a],
  i32Sub: [0x6b],
  zero: [0xfd, 0x0c, ...new Array(16).fill(0)],
  lt: [0xfd, 0x49],
  or: [0xfd, 0x50],
  anyTrue: [0xfd, 0x53],
  abs: [0xfd, 0xec, 0x01],
  add: [0xfd, 0xf0, 0x01],
  sub: [0xfd, 0xf1, 0x01],
  mul: [0xfd, 0xf2, 0x01],
};
const code = (...parts: number[][]) => parts.flat();

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

/** A length-prefixed vector or section payload. */
function sized(bytes: number[]): number[] {
  return [...uleb(bytes.length), ...bytes];
}

function name(s: string): number[] {
  return sized([...s].map((c) => c.charCodeAt(0)));
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
    get(TO), OP.end,
  );
}

/** A module importing env.memory and exporting the two scan kernels. */
function kernelBinary(): Uint8Array {
  const i32 = 0x7f;
  const v128 = 0x7b;
  const section = (id: number, payload: number[]) => [id, ...sized(payload)];
  const body = (euclid: boolean) => sized([2, 3, i32, 12, v128, ...scanBody(euclid)]);
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 6, i32, i32, i32, i32, i32, i32, 1, i32]),
    ...section(2, [1, ...name("env"), ...name("memory"), 0x02, 0x00, 0x00]),
    ...section(3, [2, 0, 0]),
    ...section(7, [2, ...name("euclidean"), 0x00, 0, ...name("manhattan"), 0x00, 1]),
    ...section(10, [2, ...body(true), ...body(false)]),
  ]);
}

function neighbourWeight(params: KnnParams, d: number): number {
  return params.weights === "uniform" ? 1 : d === 0 ? 1e12 : 1 / d;
}

export class KNeighborsClassifier extends Classifier<KnnParams, KnnFitted> {
  fit(X: Matrix, y: Float64Array, _ctx?: FitContext): this {
    checkFitInput(X, y, "KNeighborsClassifier");
    this.fitted = store(X, y);
    return this;
  }

  predictProba(X: Matrix): Float64Array {
    const f = this.state();
    const k = this.nClasses;
    const out = new Float64Array(X.rows * k);
    forEachNeighbourhood(f, X, this.params, (i, idx, dist) => {
      let total = 0;
      for (let r = 0; r < idx.length; r++) {
        const w = neighbourWeight(this.params, dist[r]);
        out[i * k + f.y[idx[r]]] += w;
        total += w;
      }
      for (let c = 0; c < k; c++) out[i * k + c] /= total;
    });
    return out;
  }
}

export class KNeighborsRegressor extends Regressor<KnnParams, KnnFitted> {
  fit(X: Matrix, y: Float64Array, _ctx?: FitContext): this {
    checkFitInput(X, y, "KNeighborsRegressor");
    this.fitted = store(X, y);
    return this;
  }

  predict(X: Matrix): Float64Array {
    const f = this.state();
    const out = new Float64Array(X.rows);
    forEachNeighbourhood(f, X, this.params, (i, idx, dist) => {
      let total = 0;
      let s = 0;
      for (let r = 0; r < idx.length; r++) {
        const w = neighbourWeight(this.params, dist[r]);
        s += w * f.y[idx[r]];
        total += w;
      }
      out[i] = s / total;
    });
    return out;
  }
}
