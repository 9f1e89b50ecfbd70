/**
 * Typed columns from the fast CSV path's output, with the same decisions inferColumn makes on cells:
 * numbers become integer, numeric or identifier columns; texts are typed from their distinct values
 * (numbers with decimal commas, booleans, dates) and otherwise stay categorical, text or identifier.
 */
import type { Column } from "../types.js";
import {
  type Cell,
  encodeStrings,
  isMissingText,
  numberOfCell,
  numericColumn,
  stringType,
  tryBoolean,
  tryDatetime,
} from "./infer.js";

export function columnFromNumbers(name: string, values: Float64Array): Column {
  return (
    numericColumn(name, values) ??
    encodeStrings(name, new Array<Cell>(values.length).fill(null), values.length)
  );
}

/** @param codes - indices into levels (first-appearance order); levels include missing spellings */
export function columnFromLevels(name: string, codes: Int32Array, levels: string[]): Column {
  const cells: Cell[] = levels.map((l) => (isMissingText(l) || l.trim() === "" ? null : l));
  const k = levels.length;
  if (cells.some((c) => c !== null)) {
    const numbers = new Float64Array(k);
    let allNumbers = true;
    for (let j = 0; j < k && allNumbers; j++) {
      const v = numberOfCell(cells[j]);
      if (v === null) allNumbers = false;
      else numbers[j] = v;
    }
    if (allNumbers) return columnFromNumbers(name, expand(codes, numbers));
    const typed = tryBoolean(name, cells, k) ?? tryDatetime(name, cells, k);
    if (typed && "values" in typed) return { ...typed, values: expand(codes, typed.values) };
  }
  return textColumn(name, codes, cells);
}

/** Per-row values from per-level values (a negative code is missing). */
function expand(codes: Int32Array, perLevel: Float64Array): Float64Array {
  const out = new Float64Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i] < 0 ? Number.NaN : perLevel[codes[i]];
  return out;
}

/** Drops the missing spellings from the levels (keeping first-appearance order) and types the column. */
function textColumn(name: string, codes: Int32Array, cells: Cell[]): Column {
  const remap = new Int32Array(cells.length);
  const levels: string[] = [];
  let totalLength = 0;
  let withSpaces = 0;
  cells.forEach((c, j) => {
    if (c === null) {
      remap[j] = -1;
      return;
    }
    const s = c as string;
    remap[j] = levels.length;
    levels.push(s);
    totalLength += s.length;
    if (s.trim().includes(" ")) withSpaces++;
  });
  let seen = 0;
  const out = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const r = codes[i] < 0 ? -1 : remap[codes[i]];
    out[i] = r;
    if (r >= 0) seen++;
  }
  return { name, type: stringType(name, levels.length, seen, totalLength, withSpaces), codes: out, levels };
}
