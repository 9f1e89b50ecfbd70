/**
 * Column type inference: cells (text from CSV, typed values from xlsx/Parquet) → one typed column.
 * Order of tests: numeric → boolean → datetime → string (categorical, free text or identifier).
 */
import type { Column, ColumnType } from "../types.js";
import { type DayOrder, detectDayOrder, parseDate } from "./dates.js";

/** A cell as a reader hands it over. */
export type Cell = string | number | boolean | bigint | Date | null | undefined;

// "." too: SAS and some exports write it for a missing value (penguins.csv has one in `Sex`).
const MISSING = new Set(["", "na", "n/a", "#n/a", "null", "nan", "none", "-", "?", "."]);
const TRUE = new Set(["true", "yes", "y", "t"]);
const FALSE = new Set(["false", "no", "n", "f"]);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_COMMA = /^[+-]?\d+,\d+$/;
const ID_NAME = /(^|[^a-z])(id|uuid|guid|key|idx|index)$|^(row|record|no|nr|#)$|Id$/i;

export function isMissingText(s: string): boolean {
  return s.length <= 4 && MISSING.has(s.trim().toLowerCase());
}

export function isMissing(c: Cell): boolean {
  if (c === null || c === undefined) return true;
  if (typeof c === "string") return isMissingText(c) || c.trim() === "";
  if (typeof c === "number") return Number.isNaN(c);
  if (c instanceof Date) return Number.isNaN(c.getTime());
  return false;
}

/** Infers the type of one column and encodes it. */
export function inferColumn(name: string, cells: Cell[]): Column {
  const n = cells.length;
  return (
    tryNumeric(name, cells, n) ??
    tryBoolean(name, cells, n) ??
    tryDatetime(name, cells, n) ??
    encodeStrings(name, cells, n)
  );
}

function tryNumeric(name: string, cells: Cell[], n: number): Column | null {
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = numberOfCell(cells[i]);
    if (v === null) return null;
    values[i] = v;
  }
  return numericColumn(name, values);
}

/** A cell's number: NaN when missing, null when it is not a number. */
export function numberOfCell(c: Cell): number | null {
  if (isMissing(c)) return Number.NaN;
  let v: number;
  if (typeof c === "number") v = c;
  else if (typeof c === "bigint") v = Number(c);
  else if (typeof c === "string") {
    const s = c.trim();
    if (NUMBER.test(s)) v = Number(s);
    // "3,5" from a semicolon-delimited European export; "1,500" (a thousands group) does not match.
    else if (DECIMAL_COMMA.test(s) && !/^[+-]?\d{1,3},\d{3}$/.test(s)) v = Number(s.replace(",", "."));
    else return null;
  } else return null;
  return Number.isFinite(v) ? v : null;
}

/** A column of parsed numbers (NaN = missing): integer or numeric, or an identifier; null if all missing. */
export function numericColumn(name: string, values: Float64Array): Column | null {
  let seen = 0;
  let integer = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    seen++;
    if (integer && !Number.isInteger(v)) integer = false;
  }
  if (seen === 0) return null;
  if (integer && looksLikeIdentifier(name, values, seen)) return idFromNumbers(name, values);
  return { name, type: integer ? "integer" : "numeric", values };
}

/** Near-unique integers that are named like an id or run as a sequence. */
function looksLikeIdentifier(name: string, values: Float64Array, seen: number): boolean {
  if (seen < 20) return ID_NAME.test(name) && seen > 1 && distinctCount(values) === seen;
  if (tooManyRepeats(values, seen)) return false;
  const distinct = distinctCount(values);
  if (distinct / seen < 0.95) return false;
  if (ID_NAME.test(name)) return true;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return max - min + 1 <= 1.05 * seen;
}

/**
 * A cheap certain "no": repeats among the first values already cap the distinct share below 95%. (A
 * binary target in a million rows needs no sort.)
 */
function tooManyRepeats(values: Float64Array, seen: number): boolean {
  const distinct = new Set<number>();
  let present = 0;
  for (let i = 0; i < values.length && present < 200_000; i++) {
    if (Number.isNaN(values[i])) continue;
    present++;
    distinct.add(values[i]);
    if (present - distinct.size > 0.05 * seen) return true;
  }
  return false;
}

function distinctCount(values: Float64Array): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort();
  let d = sorted.length > 0 ? 1 : 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] !== sorted[i - 1]) d++;
  return d;
}

function idFromNumbers(name: string, values: Float64Array): Column {
  const cells = Array.from(values, (v) => (Number.isNaN(v) ? null : String(v)));
  const col = encodeStrings(name, cells, cells.length);
  return { ...col, type: "identifier" } as Column;
}

export function tryBoolean(name: string, cells: Cell[], n: number): Column | null {
  // The first value ends most text columns, before a column of values is allocated.
  const first = firstPresent(cells, n);
  if (typeof first === "string" && !isBooleanWord(first)) return null;
  const values = new Float64Array(n);
  let seen = 0;
  for (let i = 0; i < n; i++) {
    const c = cells[i];
    if (isMissing(c)) {
      values[i] = Number.NaN;
      continue;
    }
    if (typeof c === "boolean") values[i] = c ? 1 : 0;
    else if (typeof c === "string") {
      if (!isBooleanWord(c)) return null;
      values[i] = TRUE.has(c.trim().toLowerCase()) ? 1 : 0;
    } else return null;
    seen++;
  }
  return seen === 0 ? null : { name, type: "boolean", values };
}

export function tryDatetime(name: string, cells: Cell[], n: number): Column | null {
  // A first value that is no date in either order ends it before a column of values is allocated and the
  // order is looked for in every cell (an id column of 150,000 texts).
  const first = firstPresent(cells, n);
  if (
    typeof first === "string" &&
    Number.isNaN(parseDate(first, "dmy")) &&
    Number.isNaN(parseDate(first, "mdy"))
  )
    return null;
  const values = new Float64Array(n);
  let order: DayOrder | null = null;
  let seen = 0;
  for (let i = 0; i < n; i++) {
    const c = cells[i];
    if (isMissing(c)) {
      values[i] = Number.NaN;
      continue;
    }
    let t: number;
    if (c instanceof Date) t = c.getTime();
    else if (typeof c === "string") {
      if (order === null) order = detectDayOrder(stringsOf(cells));
      t = parseDate(c, order);
    } else return null;
    if (Number.isNaN(t)) return null;
    values[i] = t;
    seen++;
  }
  return seen === 0 ? null : { name, type: "datetime", values };
}

function firstPresent(cells: Cell[], n: number): Cell | undefined {
  for (let i = 0; i < n; i++) if (!isMissing(cells[i])) return cells[i];
  return undefined;
}

function isBooleanWord(s: string): boolean {
  const t = s.trim().toLowerCase();
  return TRUE.has(t) || FALSE.has(t);
}

function* stringsOf(cells: Cell[]): Generator<string> {
  for (const c of cells) if (typeof c === "string") yield c;
}

export function encodeStrings(name: string, cells: Cell[], n: number): Column {
  const codes = new Int32Array(n);
  const index = new Map<string, number>();
  const levels: string[] = [];
  let seen = 0;
  let totalLength = 0;
  let withSpaces = 0;
  for (let i = 0; i < n; i++) {
    const c = cells[i];
    if (isMissing(c)) {
      codes[i] = -1;
      continue;
    }
    const s = cellText(c);
    let code = index.get(s);
    if (code === undefined) {
      code = levels.length;
      index.set(s, code);
      levels.push(s);
      totalLength += s.length;
      if (s.trim().includes(" ")) withSpaces++;
    }
    codes[i] = code;
    seen++;
  }
  return { name, type: stringType(name, levels.length, seen, totalLength, withSpaces), codes, levels };
}

/** Text form of a typed cell (xlsx/Parquet values in a string column). */
export function cellText(c: Cell): string {
  if (typeof c === "string") return c.trim();
  if (c instanceof Date) return c.toISOString();
  return String(c);
}

export function stringType(
  name: string,
  distinct: number,
  seen: number,
  totalLength: number,
  withSpaces: number,
) {
  const ratio = seen === 0 ? 0 : distinct / seen;
  if (ratio < 0.5 || distinct < 10) return "categorical" satisfies ColumnType;
  const meanLength = totalLength / Math.max(distinct, 1);
  if (withSpaces / distinct > 0.5 && meanLength >= 20) return "text" satisfies ColumnType;
  if (ratio >= 0.95 || ID_NAME.test(name)) return "identifier" satisfies ColumnType;
  return "categorical" satisfies ColumnType;
}

/** Makes names unique (a repeat gets "_2", "_3"…) and names empty headers by position. */
export function uniqueNames(raw: string[]): string[] {
  const used = new Set<string>();
  return raw.map((r, j) => {
    const base = r.trim() === "" ? `column_${j + 1}` : r;
    let name = base;
    for (let k = 2; used.has(name); k++) name = `${base}_${k}`;
    used.add(name);
    return name;
  });
}
