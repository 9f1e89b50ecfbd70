/** A dense row-major matrix over one flat Float64Array: element (i, j) is data[i * cols + j]. */
export interface Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

export function createMatrix(rows: number, cols: number): Matrix {
  return { data: new Float64Array(rows * cols), rows, cols };
}

/** Copies the given rows (in order) into a new matrix. */
export function takeRows(m: Matrix, rows: ArrayLike<number>): Matrix {
  const out = createMatrix(rows.length, m.cols);
  const c = m.cols;
  for (let r = 0; r < rows.length; r++) {
    const src = rows[r] * c;
    out.data.set(m.data.subarray(src, src + c), r * c);
  }
  return out;
}

/** Column-major copy: element (i, j) at out[j * rows + i]. Trees scan one feature at a time. */
export function toColumnMajor(m: Matrix): Float64Array {
  const { rows, cols, data } = m;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const base = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = data[base + j];
  }
  return out;
}
