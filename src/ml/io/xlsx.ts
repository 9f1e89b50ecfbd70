/**
 * .xlsx → header + cells (first worksheet, first row is the header). Two passes, neither trusting what the
 * zip declares: (1) every entry is inflated through fflate's streaming inflater with a running byte counter
 * that stops at the unpacked-bytes limit, counting the sheets' cells and the shared-strings table's entries
 * as they stream by; (2) only then does exceljs' streaming reader read the first sheet row by row, stopping
 * at the row, column and cell limits.
 */
import { Readable } from "node:stream";
import { Unzip, UnzipInflate } from "fflate";
import { DataLimitError, EmptyFileError, UnreadableFileError } from "../errors.js";
import type { DataLimits } from "../types.js";
import type { Cell } from "./infer.js";

export interface CellTable {
  header: string[];
  columns: Cell[][];
  nRows: number;
}

/** Bytes handed to the inflater at a time: one push can unpack at most ~1000× this. */
const PUSH_BYTES = 16 * 1024;
/** Shared strings a workbook may hold beyond its cell count (writers keep a few unused ones). */
const SHARED_STRINGS_SLACK = 10_000;

/** What the first pass found: bytes unpacked, cells in every sheet, entries of the shared-strings table. */
export interface WorkbookScan {
  unpackedBytes: number;
  cells: number;
  sharedStrings: number;
}

/**
 * Inflates every entry to count it, whatever sizes the headers claim; throws DataLimitError as soon as the
 * running total passes the limit, or when the cells or shared strings are more than the limits allow.
 */
export function scanWorkbook(bytes: Uint8Array, limits: DataLimits): WorkbookScan {
  const scan: WorkbookScan = { unpackedBytes: 0, cells: 0, sharedStrings: 0 };
  const cellCounter = new TagCounter("<c");
  const stringCounter = new TagCounter("<si");
  const counterFor = (name: string) =>
    /^xl\/worksheets\/[^/]+\.xml$/.test(name)
      ? cellCounter
      : name === "xl/sharedStrings.xml"
        ? stringCounter
        : undefined;
  let overLimit = false;
  let damaged: Error | null = null;
  const unzip = new Unzip((file) => {
    const counter = counterFor(file.name);
    file.ondata = (error, chunk) => {
      damaged ??= error;
      if (error || overLimit) return;
      scan.unpackedBytes += chunk.length;
      if (scan.unpackedBytes > limits.maxDecompressedBytes) {
        overLimit = true;
        file.terminate();
        return;
      }
      counter?.push(chunk);
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    for (let at = 0; at < bytes.length && !overLimit && !damaged; at += PUSH_BYTES) {
      unzip.push(bytes.subarray(at, at + PUSH_BYTES), at + PUSH_BYTES >= bytes.length);
    }
  } catch (cause) {
    damaged = cause as Error;
  }
  if (damaged && !overLimit) {
    throw new UnreadableFileError("This .xlsx file is not a valid Excel workbook.", {}, { cause: damaged });
  }
  scan.cells = cellCounter.count;
  scan.sharedStrings = stringCounter.count;
  checkScan(scan, overLimit, limits);
  return scan;
}

function checkScan(scan: WorkbookScan, overLimit: boolean, limits: DataLimits): void {
  if (overLimit) {
    throw new DataLimitError(
      `The workbook unpacks to more than ${limits.maxDecompressedBytes} bytes, the limit.`,
      { decompressedBytes: scan.unpackedBytes, limit: limits.maxDecompressedBytes },
    );
  }
  if (scan.cells > limits.maxCells) {
    throw new DataLimitError(`The workbook has ${scan.cells} cells; the limit is ${limits.maxCells}.`, {
      cells: scan.cells,
      limit: limits.maxCells,
    });
  }
  if (scan.sharedStrings > scan.cells + SHARED_STRINGS_SLACK) {
    throw new DataLimitError(
      `The workbook's shared-strings table has ${scan.sharedStrings} entries, far more than its ${scan.cells} cells could use.`,
      { sharedStrings: scan.sharedStrings, cells: scan.cells },
    );
  }
}

/** Counts opening tags `<name` (followed by '>', '/' or white space) in a stream of bytes. */
class TagCounter {
  count = 0;
  private readonly tag: Uint8Array;
  private matched = 0;

  constructor(tag: string) {
    this.tag = new TextEncoder().encode(tag);
  }

  push(chunk: Uint8Array): void {
    const tag = this.tag;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.matched === tag.length) {
        if (b === 0x3e || b === 0x2f || b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) this.count++;
        this.matched = 0;
      }
      // '<' starts the tag and appears nowhere else in it, so a mismatch restarts at this byte.
      if (b === tag[this.matched]) this.matched++;
      else this.matched = b === tag[0] ? 1 : 0;
    }
  }
}

export async function readXlsx(bytes: Uint8Array, limits: DataLimits): Promise<CellTable> {
  scanWorkbook(bytes, limits);
  // Loaded on first use: exceljs takes a second to import, and most files are CSV.
  const { default: ExcelJS } = await import("exceljs");
  const input = Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
  const workbook = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: "emit",
    sharedStrings: "cache",
    styles: "cache",
    hyperlinks: "ignore",
    entries: "ignore",
  });
  const rows: Cell[][] = [];
  let width = 0;
  try {
    for await (const sheet of workbook) {
      for await (const row of sheet) {
        const values = row.values as unknown[];
        const cells: Cell[] = [];
        for (let j = 1; j < values.length; j++) cells.push(toCell(values[j]));
        width = Math.max(width, cells.length);
        rows.push(cells);
        checkShape(rows.length - 1, width, limits);
      }
      break; // the first sheet only
    }
  } catch (cause) {
    if (cause instanceof DataLimitError) throw cause;
    throw new UnreadableFileError("This .xlsx file could not be read.", {}, { cause });
  }
  if (rows.length === 0) throw new EmptyFileError("The workbook's first sheet is empty.");
  const header = Array.from({ length: width }, (_, j) => (rows[0][j] == null ? "" : String(rows[0][j])));
  const data = rows.slice(1);
  const columns: Cell[][] = header.map((_, j) => data.map((r) => r[j] ?? null));
  return { header, columns, nRows: data.length };
}

function checkShape(dataRows: number, width: number, limits: DataLimits): void {
  if (width > limits.maxColumns) {
    throw new DataLimitError(`The sheet has ${width} columns; the limit is ${limits.maxColumns}.`, {
      columns: width,
      limit: limits.maxColumns,
    });
  }
  if (dataRows > limits.maxRows) {
    throw new DataLimitError(`The sheet has more than ${limits.maxRows} rows.`, { limit: limits.maxRows });
  }
  if (dataRows * width > limits.maxCells) {
    throw new DataLimitError(`The sheet has more than ${limits.maxCells} cells.`, { limit: limits.maxCells });
  }
}

/** exceljs cell values: plain values, formulas (use the cached result), rich text, hyperlinks, errors. */
function toCell(v: unknown): Cell {
  if (v === null || v === undefined) return null;
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v instanceof Date) return v;
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if ("result" in o) return toCell(o.result);
    if (Array.isArray(o.richText)) return o.richText.map((t: { text?: string }) => t.text ?? "").join("");
    if (typeof o.text === "string") return o.text;
    if ("error" in o) return null;
    if ("sharedFormula" in o || "formula" in o) return null;
  }
  return String(v);
}
