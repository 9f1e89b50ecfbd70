/**
 * Reads CSV/TSV bytes into a frame through the fast path (csv-bytes.ts): the header and a sample of rows
 * are parsed as text to pick the delimiter and the numeric columns, then all rows are parsed from bytes.
 * Returns null when the file needs the general reader (a "numeric" column with text further down).
 */
import { isUtf8 } from "node:buffer";
import { EmptyFileError } from "../errors.js";
import type { DataLimits, Frame } from "../types.js";
import type { ByteDictionary } from "./byte-dictionary.js";
import { detectDelimiter, parseDelimited } from "./csv.js";
import { parseCsvBytes, SAMPLE_ROWS } from "./csv-bytes.js";
import { columnFromLevels, columnFromNumbers } from "./fast-columns.js";
import { numberOfCell, uniqueNames } from "./infer.js";

const QUOTE = 34;
const LF = 10;
const CR = 13;

export function readCsvFast(bytes: Uint8Array, fileName: string, limits: DataLimits): Frame | null {
  const bom = bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  // A plain Uint8Array view: subarrays of a Node Buffer are Buffers, which cost more to create.
  const body = new Uint8Array(bytes.buffer, bytes.byteOffset + bom, bytes.length - bom);
  const headerStart = skipBlankLines(body, 0);
  const dataStart = recordEnds(body, headerStart, 1);
  const sampleEnd = recordEnds(body, dataStart, SAMPLE_ROWS);
  // Only the sample and the distinct texts are ever decoded, so only they decide the encoding.
  const utf8Sample = isUtf8(body.subarray(headerStart, sampleEnd));
  const prefix = new TextDecoder(utf8Sample ? "utf-8" : "windows-1252").decode(
    body.subarray(headerStart, sampleEnd),
  );
  if (prefix.includes("\u0000")) return null;
  const delimiter = detectDelimiter(prefix, fileName);
  const sample = parseDelimited(prefix, delimiter, limits);
  if (sample.nRows === 0) return null;
  const numeric = sample.columns.map((cells) => cells.every((c) => isPlainNumber(c)));
  const bytesPerRow = (sampleEnd - dataStart) / Math.max(1, sample.nRows);
  const table = parseCsvBytes(
    body,
    dataStart,
    sample.header,
    numeric,
    delimiter.charCodeAt(0),
    limits,
    bytesPerRow,
  );
  if (!table) return null;
  if (table.nRows === 0) throw new EmptyFileError("The file has a header but no data rows.");
  const utf8 = utf8Sample && table.columns.every((c) => c.kind === "number" || allUtf8(c.dictionary));
  if (utf8 !== utf8Sample) return null;
  const decoder = new TextDecoder(utf8 ? "utf-8" : "windows-1252");
  const decode = (b: Uint8Array) => decoder.decode(b);
  const names = uniqueNames(table.header);
  return {
    nRows: table.nRows,
    columns: table.columns.map((c, j) =>
      c.kind === "number"
        ? columnFromNumbers(names[j], c.values)
        : columnFromLevels(names[j], c.codes, c.dictionary.texts(decode)),
    ),
  };
}

function allUtf8(d: ByteDictionary): boolean {
  if (d.allAscii()) return true;
  for (let code = 0; code < d.size; code++) if (!isUtf8(d.bytesOf(code))) return false;
  return true;
}

/** A missing cell or a plain decimal number (decimal commas are left to the text path). */
function isPlainNumber(cell: string): boolean {
  const t = cell.trim();
  if (t.includes(",")) return false;
  return numberOfCell(t) !== null;
}

function skipBlankLines(b: Uint8Array, pos: number): number {
  for (;;) {
    let p = pos;
    while (p < b.length && (b[p] === 32 || b[p] === 9)) p++;
    if (p >= b.length || (b[p] !== LF && b[p] !== CR)) return pos;
    if (b[p] === CR) p++;
    if (p < b.length && b[p] === LF) p++;
    pos = p;
  }
}

/** The byte offset after `count` records from pos (quoted line breaks stay inside their record). */
function recordEnds(b: Uint8Array, pos: number, count: number): number {
  let quoted = false;
  let records = 0;
  for (; pos < b.length; pos++) {
    const c = b[pos];
    if (c === QUOTE) quoted = !quoted;
    else if (!quoted && (c === LF || c === CR)) {
      if (c === CR && b[pos + 1] === LF) pos++;
      if (++records === count) return pos + 1;
    }
  }
  return b.length;
}
