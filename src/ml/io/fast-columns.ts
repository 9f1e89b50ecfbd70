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
  const cells = presentCells(levels);
  const k = levels.length;
  if (cells.some((c) => c !== null)) {
    const numbers = levelNumbers(cells);
    if (numbers) return columnFromNumbers(name, expand(codes, numbers));
    const typed = tryBoolean(name, cells, k) ?? tryDatetime(name, cells, k);
    if (typed && "values" in typed) return { ...typed, values: expand(codes, typed.values) };
  }
  return textColumn(name, codes, cells);
}

/**
 * The levels with their missing spellings as null: the levels array itself when it has none (the usual
 * case, and an id column's 150,000 levels are then not copied).
 */
function presentCells(levels: string[]): Cell[] {
  const missing = (l: string) => isMissingText(l) || l.trim() === "";
  return levels.some(missing) ? levels.map((l) => (missing(l) ? null : l)) : levels;
}

/** Each level's number, or null when one is no number (a text column: decided by its first level). */
function levelNumbers(cells: Cell[]): Float64Array | null {
  if (numberOfCell(cells.find((c) => c !== null) ?? null) === null) return null;
  const numbers = new Float64Array(cells.length);
  for (let j = 0; j < cells.length; j++) {
    const v = numberOfCell(cells[j]);
    if (v === null) return null;
    numbers[j] = v;
  }
  return numbers;
}

/** Per-row values from per-level values (a negative code is missing). */
function expand(codes: Int32Array, perLevel: Float64Array): Float64Array {
  const out = new Float64Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i] < 0 ? Number.NaN : perLevel[codes[i]];
  return out;
}

/**
 * Drops the missing spellings from the levels (keeping first-appearance order) and types the column; with
 * none to drop, the levels and codes are kept as they are.
 */
function textColumn(name: string, codes: Int32Array, cells: Cell[]): Column {
  if (!cells.includes(null)) return typedText(name, codes, cells as string[]);
  const remap = new Int32Array(cells.length);
  const levels: string[] = [];
  cells.forEach((c, j) => {
    remap[j] = c === null ? -1 : levels.push(c as string) - 1;
  });
  return typedText(
    name,
    codes.map((c) => (c < 0 ? -1 : remap[c])),
    levels,
  );
}

/** A text column of these codes (negative: missing) and levels, typed by stringType. */
function typedText(name: string, codes: Int32Array, levels: string[]): Column {
  let totalLength = 0;
  let withSpaces = 0;
  for (const s of levels) {
    totalLength += s.length;
    if (s.trim().includes(" ")) withSpaces++;
  }
  let seen = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i] >= 0) seen++;
  return { name, type: stringType(name, levels.length, seen, totalLength, withSpaces), codes, levels };
}
