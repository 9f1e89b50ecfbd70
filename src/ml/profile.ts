/** The dataset summary the bot shows after an upload: per column type, missing %, unique, range or top values. */
import { sumCompensated } from "./kernels/sum-compensated.js";
import type { Column, ColumnProfile, DatasetProfile, Frame } from "./types.js";

const TOP_CATEGORIES = 5;

export function profileFrame(frame: Frame): DatasetProfile {
  const columns = frame.columns.map((c) => profileColumn(c, frame.nRows));
  const missingCells = columns.reduce((s, c) => s + c.missing, 0);
  return { nRows: frame.nRows, nColumns: frame.columns.length, missingCells, columns };
}

export function profileColumn(col: Column, nRows: number): ColumnProfile {
  if ("values" in col) {
    const present = withoutMissing(col.values);
    const missing = nRows - present.length;
    const sorted = present.slice().sort();
    let unique = sorted.length > 0 ? 1 : 0;
    for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) unique++;
    const base = { name: col.name, type: col.type, missing, missingPct: pct(missing, nRows), unique };
    if (present.length === 0) return base;
    return {
      ...base,
      min: sorted[0],
      mean: sumCompensated(present.length, present) / present.length,
      max: sorted[sorted.length - 1],
    };
  }
  const counts = levelCounts(col.codes, col.levels.length);
  let missing = 0;
  for (const c of col.codes) if (c < 0) missing++;
  const unique = counts.filter((c) => c > 0).length;
  const top = counts
    .map((count, i) => ({ value: col.levels[i], count }))
    .filter((t) => t.count > 0)
    .sort((a, b) => b.count - a.count)
    .slice(0, TOP_CATEGORIES);
  return { name: col.name, type: col.type, missing, missingPct: pct(missing, nRows), unique, top };
}

/** The values that are not NaN (a plain loop: TypedArray.filter's callback costs 10× on 10^6 rows). */
function withoutMissing(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isNaN(v)) out[m++] = v;
  }
  return out.subarray(0, m);
}

export function levelCounts(codes: Int32Array, nLevels: number): number[] {
  const counts = new Array<number>(nLevels).fill(0);
  for (const c of codes) if (c >= 0) counts[c]++;
  return counts;
}

function pct(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.round((1000 * part) / whole) / 10;
}
