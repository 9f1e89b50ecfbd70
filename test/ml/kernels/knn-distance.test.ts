/**
 * The k-NN distance kernel (src/ml/kernels/wat/knn-distance.wat) against the plain scalar loop: every one
 * of a tile's 16 distances, for every query tile and training tile, bit for bit; shapes not multiples of the
 * tile; and the early stop when no distance beats a query's k-th best.
 */
import { describe, expect, it } from "vitest";
import { searchSpace, TILE, writeQueryRecords } from "../../../src/ml/kernels/knn-distance.js";
import type { Matrix } from "../../../src/ml/matrix.js";
import { Random } from "../../../src/ml/random.js";

function matrix(rng: Random, rows: number, cols: number): Matrix {
  return { data: Float64Array.from({ length: rows * cols }, () => rng.normal() * 3), rows, cols };
}

/** The plain loop: ‖q‖² + ‖t‖² − 2 q·t with each sum in feature order, or Σ |q − t|. */
function reference(Q: Matrix, i: number, T: Matrix, t: number, euclid: boolean): number {
  const p = Q.cols;
  let qn = 0;
  let tn = 0;
  let s = 0;
  for (let j = 0; j < p; j++) {
    const q = Q.data[i * p + j];
    const x = T.data[t * p + j];
    qn += q ** 2;
    tn += x ** 2;
    s += euclid ? q * x : Math.abs(q - x);
  }
  return euclid ? qn + tn - (s + s) : s;
}

describe("k-NN distance kernel", () => {
  const shapes: Array<[number, number, number]> = [
    [1, 1, 1],
    [13, 3, 7],
    [37, 20, 9],
    [64, 5, 16],
  ];
  it.each(shapes)(
    "equals the scalar loop bit for bit (%i training rows, %i features, %i queries)",
    (m, p, n) => {
      const rng = new Random(m * 100 + p);
      const T = matrix(rng, m, p);
      const Q = matrix(rng, n, p);
      const space = searchSpace({ X: T.data, y: new Float64Array(m), rows: m, cols: p });
      writeQueryRecords(space, Q, 0, n);
      const tileBytes = TILE * p * 8;
      let mismatches = 0;
      let compared = 0;
      for (const euclid of [true, false]) {
        const scan = euclid ? space.kernels.euclidean : space.kernels.manhattan;
        for (let q = 0; q * TILE < n; q++) {
          const record = space.recordsAt + q * space.recordBytes;
          for (let t = 0; t < space.trainTiles; t++) {
            const norms = space.normsAt + t * TILE * 8;
            // Every k-th best is still +∞, so the first tile scanned is a hit.
            expect(scan(record, t * tileBytes, (t + 1) * tileBytes, norms, p, space.outAt)).toBe(
              t * tileBytes,
            );
            for (let i = 0; i < TILE && q * TILE + i < n; i++)
              for (let r = 0; r < TILE && t * TILE + r < m; r++) {
                const d = space.f64[space.outAt / 8 + i * TILE + r];
                if (!Object.is(d, reference(Q, q * TILE + i, T, t * TILE + r, euclid))) mismatches++;
                compared++;
              }
          }
        }
      }
      expect(compared).toBe(2 * m * n);
      expect(mismatches).toBe(0);
    },
  );

  it("scans on past tiles where no distance beats a query's k-th best, and stops at the first that does", () => {
    const rng = new Random(3);
    const T = matrix(rng, 40, 4);
    const Q = matrix(rng, 4, 4);
    const space = searchSpace({ X: T.data, y: new Float64Array(40), rows: 40, cols: 4 });
    writeQueryRecords(space, Q, 0, 4);
    const distances = Array.from({ length: 40 }, (_, t) => reference(Q, 0, T, t, false));
    const nearest = distances.indexOf(Math.min(...distances));
    const tileBytes = TILE * 4 * 8;
    const end = space.trainTiles * tileBytes;
    const scan = (from: number, kth: number) => {
      for (let i = 0; i < TILE; i++) space.f64[space.recordsAt / 8 + TILE + i] = i === 0 ? kth : -1;
      return space.kernels.manhattan(space.recordsAt, from, end, space.normsAt + from / 4, 4, space.outAt);
    };
    expect(scan(0, distances[nearest])).toBe(end);
    const kth = distances[nearest] * (1 + 1e-9);
    const hit = Math.floor(nearest / TILE) * tileBytes;
    expect(scan(0, kth)).toBe(hit);
    expect(space.f64[space.outAt / 8 + (nearest % TILE)]).toBe(distances[nearest]);
    expect(scan(hit + tileBytes, kth)).toBe(end);
  });
});
