/**
 * The fast CSV path: one pass over the bytes, no string per cell. A sample of the first rows decides
 * which columns are numbers; those are parsed from bytes into Float64Arrays, and every other column is
 * dictionary-encoded by hashing its bytes (each distinct value is decoded once, at the end). Returns null
 * when a "number" column meets something else further down; the caller then reads the file the general way.
 */
import { DataLimitError, MalformedDataError } from "../errors.js";
import type { DataLimits } from "../types.js";
import { ByteDictionary } from "./byte-dictionary.js";
import { WasmRows } from "./csv-rows.js";
import { fieldEnd, parseNumberBytes, parseNumberField } from "./number-bytes.js";

const QUOTE = 34;
const LF = 10;
const CR = 13;
/** Rows read as text first to decide the column kinds. */
export const SAMPLE_ROWS = 1000;

/** A column read by the fast path: numbers, or codes into distinct texts. */
export type FastColumn =
  | { kind: "number"; values: Float64Array }
  | { kind: "text"; codes: Int32Array; dictionary: ByteDictionary };

export interface FastTable {
  header: string[];
  columns: FastColumn[];
  nRows: number;
}

interface Cursor {
  pos: number;
  line: number;
}

/**
 * @param numeric - per column, whether the sample says it holds numbers
 * @param start - byte offset of the first data row (after the header)
 */
export function parseCsvBytes(
  bytes: Uint8Array,
  start: number,
  header: string[],
  numeric: boolean[],
  delimiter: number,
  limits: DataLimits,
  bytesPerRow: number,
  /** false: every row through the JavaScript path (tests compare the two). */
  kernel = true,
): FastTable | null {
  const p = header.length;
  const len = bytes.length;
  // Rows estimated from the sample's bytes per row; columns grow by a quarter if the estimate is short.
  let cap = Math.max(1024, Math.min(limits.maxRows, Math.ceil(((len - start) / bytesPerRow) * 1.02) + 16));
  let values = numeric.map((isNum) => (isNum ? new Float64Array(cap) : null));
  let codes = numeric.map((isNum) => (isNum ? null : new Int32Array(cap)));
  const dicts = numeric.map((isNum) => (isNum ? null : new ByteDictionary()));
  const cur: Cursor = { pos: start, line: 2 };
  const plain = kernel ? new WasmRows(bytes, numeric, delimiter, limits.maxCellLength) : null;
  let n = 0;
  while (cur.pos < len) {
    if (n === cap) {
      cap = Math.ceil(cap * 1.25);
      values = values.map((v) => (v ? grow(v, cap) : null));
      codes = codes.map((c) => (c ? grow(c, cap) : null));
    }
    // Plain rows go through the WebAssembly kernel; the row it stops at is read here.
    const taken =
      plain === null ? 0 : plain.take(cur.pos, Math.min(cap, limits.maxRows) - n, n, values, codes, dicts);
    if (plain !== null && taken > 0) {
      if (n === 0) reserveForIds(dicts, taken, cap);
      n += taken;
      cur.pos = plain.end;
      cur.line += taken;
      continue;
    }
    const recordLine = cur.line;
    if (isBlankLine(bytes, cur)) continue;
    if (n >= limits.maxRows) {
      throw new DataLimitError(`The file has more than ${limits.maxRows} rows.`, { limit: limits.maxRows });
    }
    for (let j = 0; j < p; j++) {
      if (j > 0) {
        if (cur.pos >= len || bytes[cur.pos] !== delimiter) throw fieldCount(recordLine, j, p);
        cur.pos++;
      }
      const ok = readField(bytes, cur, delimiter, limits, recordLine, values[j], codes[j], dicts[j], n);
      if (!ok) return null;
    }
    if (cur.pos < len && bytes[cur.pos] === delimiter)
      throw fieldCount(recordLine, countFields(bytes, cur, delimiter, p), p);
    endOfRecord(bytes, cur);
    n++;
  }
  const columns = numeric.map(
    (isNum, j): FastColumn =>
      isNum
        ? { kind: "number", values: firstRows(values[j] as Float64Array, n) }
        : {
            kind: "text",
            codes: firstRows(codes[j] as Int32Array, n),
            dictionary: dicts[j] as ByteDictionary,
          },
  );
  return { header, columns, nRows: n };
}

/**
 * Sizes the dictionary of each text column whose first rows (the kernel's first window, about a thousand)
 * are all distinct, an id, for all `cap` rows at once.
 */
function reserveForIds(dicts: (ByteDictionary | null)[], rows: number, cap: number): void {
  if (rows < 256) return;
  for (const d of dicts) if (d !== null && d.size === rows) d.reserve(cap);
}

/** Reads one field into its column; false when a number column holds something else. */
function readField(
  bytes: Uint8Array,
  cur: Cursor,
  delimiter: number,
  limits: DataLimits,
  line: number,
  values: Float64Array | null,
  codes: Int32Array | null,
  dict: ByteDictionary | null,
  row: number,
): boolean {
  if (bytes[cur.pos] === QUOTE) {
    const cell = readQuoted(bytes, cur, delimiter, line);
    checkLength(cell.length, limits, line);
    if (values) {
      const v = parseNumberBytes(cell, 0, cell.length);
      if (Number.isNaN(v) ? !isMissingBytes(cell, 0, cell.length) : !Number.isFinite(v)) return false;
      values[row] = v;
    } else (codes as Int32Array)[row] = (dict as ByteDictionary).codeOf(cell, 0, cell.length);
    return true;
  }
  const from = cur.pos;
  const len = bytes.length;
  if (values) {
    // The common case in one pass; parseNumberField declines anything unusual (fieldEnd = −1).
    const v = parseNumberField(bytes, from, len, delimiter);
    if (fieldEnd >= 0) {
      checkLength(fieldEnd - from, limits, line);
      cur.pos = fieldEnd;
      values[row] = v;
      return true;
    }
  }
  let pos = from;
  while (pos < len) {
    const c = bytes[pos];
    if (c === delimiter || c === LF || c === CR) break;
    pos++;
  }
  cur.pos = pos;
  checkLength(pos - from, limits, line);
  if (values) {
    const v = parseNumberBytes(bytes, from, pos);
    if (Number.isNaN(v)) {
      if (!isMissingBytes(bytes, from, pos)) return false;
    } else if (!Number.isFinite(v)) return false;
    values[row] = v;
  } else (codes as Int32Array)[row] = (dict as ByteDictionary).codeOf(bytes, from, pos);
  return true;
}

/** A quoted field's bytes with the quotes removed and doubled quotes undoubled (plus any trailing bytes). */
function readQuoted(bytes: Uint8Array, cur: Cursor, delimiter: number, line: number): Uint8Array {
  const len = bytes.length;
  let pos = cur.pos + 1;
  const out: number[] = [];
  for (;;) {
    if (pos >= len) throw new MalformedDataError(`Line ${line}: a quoted field is never closed.`);
    const c = bytes[pos];
    if (c === QUOTE) {
      if (bytes[pos + 1] === QUOTE) {
        out.push(QUOTE);
        pos += 2;
        continue;
      }
      pos++;
      break;
    }
    if (c === LF) cur.line++;
    out.push(c);
    pos++;
  }
  // Anything between the closing quote and the delimiter is kept (lenient, like spreadsheets).
  while (pos < len && bytes[pos] !== delimiter && bytes[pos] !== LF && bytes[pos] !== CR)
    out.push(bytes[pos++]);
  cur.pos = pos;
  return Uint8Array.from(out);
}

const MISSING_TOKENS = ["", "na", "n/a", "#n/a", "null", "nan", "none", "-", "?", "."];

/** The reader's missing-value spellings (case-insensitive, spaces ignored). */
export function isMissingBytes(bytes: Uint8Array, start: number, end: number): boolean {
  while (start < end && (bytes[start] === 32 || bytes[start] === 9)) start++;
  while (end > start && (bytes[end - 1] === 32 || bytes[end - 1] === 9)) end--;
  if (end - start > 4) return false;
  let s = "";
  for (let i = start; i < end; i++)
    s += String.fromCharCode(bytes[i] | (bytes[i] >= 65 && bytes[i] <= 90 ? 32 : 0));
  return MISSING_TOKENS.includes(s);
}

function isBlankLine(bytes: Uint8Array, cur: Cursor): boolean {
  let pos = cur.pos;
  while (pos < bytes.length && (bytes[pos] === 32 || bytes[pos] === 9)) pos++;
  if (pos < bytes.length && bytes[pos] !== LF && bytes[pos] !== CR) return false;
  cur.pos = pos;
  endOfRecord(bytes, cur);
  return true;
}

function endOfRecord(bytes: Uint8Array, cur: Cursor): void {
  if (cur.pos < bytes.length && bytes[cur.pos] === CR) cur.pos++;
  if (cur.pos < bytes.length && bytes[cur.pos] === LF) cur.pos++;
  cur.line++;
}

function countFields(bytes: Uint8Array, cur: Cursor, delimiter: number, p: number): number {
  let n = p;
  let quoted = false;
  for (let pos = cur.pos; pos < bytes.length; pos++) {
    const c = bytes[pos];
    if (c === QUOTE) quoted = !quoted;
    else if (!quoted && c === delimiter) n++;
    else if (!quoted && (c === LF || c === CR)) break;
  }
  return n;
}

function fieldCount(line: number, fields: number, expected: number): MalformedDataError {
  return new MalformedDataError(`Line ${line} has ${fields} fields but the header has ${expected}.`, {
    line,
    fields,
    expected,
  });
}

function checkLength(length: number, limits: DataLimits, line: number): void {
  if (length > limits.maxCellLength) {
    throw new DataLimitError(
      `Line ${line}: a cell has ${length} characters; the limit is ${limits.maxCellLength}.`,
      {
        line,
        limit: limits.maxCellLength,
      },
    );
  }
}

function grow<T extends Float64Array | Int32Array>(a: T, size: number): T {
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a);
  return b;
}

/** The first n entries: a view when little would be wasted, else a copy. */
function firstRows<T extends Float64Array | Int32Array>(a: T, n: number): T {
  return (n >= 0.95 * a.length ? a.subarray(0, n) : a.slice(0, n)) as T;
}
