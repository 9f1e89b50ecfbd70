/**
 * .xlsx → header + cells via exceljs (first worksheet, first row is the header). The archive's declared
 * uncompressed size is checked first, so a zip bomb is refused before anything is inflated.
 */
import { unzipSync } from "fflate";
import { DataLimitError, EmptyFileError, UnreadableFileError } from "../../errors.js";
import type { DataLimits } from "../types.js";
import type { Cell } from "./infer.js";

export interface CellTable {
  header: string[];
  columns: Cell[][];
  nRows: number;
}

export function checkDecompressedSize(bytes: Uint8Array, limits: DataLimits): void {
  let total = 0;
  try {
    unzipSync(bytes, {
      filter(file) {
        total += file.originalSize;
        return false;
      },
    });
  } catch (cause) {
    throw new UnreadableFileError("This .xlsx file is not a valid Excel workbook.", {}, { cause });
  }
  if (total > limits.maxDecompressedBytes) {
    throw new DataLimitError(
      `The workbook unpacks to ${total} bytes; the limit is ${limits.maxDecompressedBytes}.`,
      { decompressedBytes: total, limit: limits.maxDecompressedBytes },
    );
  }
}

export async function readXlsx(bytes: Uint8Array, limits: DataLimits): Promise<CellTable> {
  checkDecompressedSize(bytes, limits);
  // Loaded on first use: exceljs takes a second to import, and most files are CSV.
  const { default: ExcelJS } = await import("exceljs");
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (cause) {
    throw new UnreadableFileError("This .xlsx file could not be read.", {}, { cause });
  }
  const sheet = workbook.worksheets[0];
  if (!sheet || sheet.actualRowCount === 0) throw new EmptyFileError("The workbook's first sheet is empty.");
  const rows: Cell[][] = [];
  let width = 0;
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const values = row.values as unknown[];
    const cells: Cell[] = [];
    for (let j = 1; j < values.length; j++) cells.push(toCell(values[j]));
    width = Math.max(width, cells.length);
    rows.push(cells);
  });
  if (width > limits.maxColumns) {
    throw new DataLimitError(`The sheet has ${width} columns; the limit is ${limits.maxColumns}.`, {
      columns: width,
      limit: limits.maxColumns,
    });
  }
  if (rows.length - 1 > limits.maxRows) {
    throw new DataLimitError(`The sheet has more than ${limits.maxRows} rows.`, { limit: limits.maxRows });
  }
  const header = Array.from({ length: width }, (_, j) => (rows[0][j] == null ? "" : String(rows[0][j])));
  const columns: Cell[][] = header.map((_, j) => rows.slice(1).map((r) => r[j] ?? null));
  return { header, columns, nRows: rows.length - 1 };
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
  }
  return String(v);
}
