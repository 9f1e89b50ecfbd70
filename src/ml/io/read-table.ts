/** readTable: bytes + file name → Frame, whatever the format. */
import { DataLimitError, EmptyFileError, UnreadableFileError } from "../errors.js";
import type { DataLimits, Frame } from "../types.js";
import { detectDelimiter, parseDelimited } from "./csv.js";
import { readCsvFast } from "./csv-fast.js";
import { decodeText, toUtf8 } from "./decode.js";
import { inferColumn, uniqueNames } from "./infer.js";
import { resolveLimits } from "./limits.js";
import { readParquet } from "./parquet.js";
import { type CellTable, readXlsx } from "./xlsx.js";

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];
const PARQUET_MAGIC = [0x50, 0x41, 0x52, 0x31];

/**
 * Reads CSV/TSV (UTF-8 with or without BOM, UTF-16 with a BOM, Windows-1252; auto delimiter, CRLF, quotes),
 * .xlsx (streamed through exceljs after a counted unpack) and .parquet (hyparquet), within the limits.
 */
export async function readTable(
  bytes: Uint8Array,
  opts: { fileName: string; limits?: Partial<DataLimits> },
): Promise<Frame> {
  const limits = resolveLimits(opts.limits);
  if (bytes.length > limits.maxBytes) {
    throw new DataLimitError(`The file is ${bytes.length} bytes; the limit is ${limits.maxBytes}.`, {
      bytes: bytes.length,
      limit: limits.maxBytes,
    });
  }
  if (bytes.length === 0) throw new EmptyFileError("The file is empty.");
  const lower = opts.fileName.toLowerCase();
  if (lower.endsWith(".xls")) {
    throw new UnreadableFileError("Old .xls workbooks are not supported; save the sheet as .xlsx or CSV.");
  }
  if (lower.endsWith(".parquet") || startsWith(bytes, PARQUET_MAGIC)) return readParquet(bytes, limits);
  if (lower.endsWith(".xlsx") || startsWith(bytes, ZIP_MAGIC))
    return frameFromCells(await readXlsx(bytes, limits));
  // The fast path checks the encoding of all it decodes (the sample and each distinct text), so UTF-8 and
  // Windows-1252 files go to it untranscoded, which spares a scan of the whole file.
  const fast = isUtf16(bytes) ? null : readCsvFast(bytes, opts.fileName, limits);
  if (fast) return fast;
  // Transcoded bytes are worth a second try; UTF-8 ones would meet the same refusal.
  const { bytes: utf8, encoding } = toUtf8(bytes);
  const transcoded = encoding === "utf-8" ? null : readCsvFast(utf8, opts.fileName, limits);
  return transcoded ?? frameFromCells(readText(utf8, opts.fileName, limits));
}

function readText(bytes: Uint8Array, fileName: string, limits: DataLimits): CellTable {
  const { text } = decodeText(bytes);
  if (text.includes("\u0000")) throw new UnreadableFileError("This looks like a binary file, not CSV text.");
  return parseDelimited(text, detectDelimiter(text, fileName), limits);
}

function isUtf16(bytes: Uint8Array): boolean {
  return (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff);
}

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

/** Typed columns from a table of cells; duplicate and empty header names are made unique. */
export function frameFromCells(table: CellTable): Frame {
  if (table.nRows === 0) throw new EmptyFileError("The file has a header but no data rows.");
  const names = uniqueNames(table.header);
  return { nRows: table.nRows, columns: names.map((name, j) => inferColumn(name, table.columns[j])) };
}
