/**
 * .parquet → Frame via hyparquet, one column at a time. Nothing a file declares is trusted with memory: the
 * declared rows × columns must fit the cell limit, the declared uncompressed sizes of the column chunks
 * must fit the unpacked-bytes limit, and every page is counted against that limit (by the size its header
 * declares) before it is inflated. Numeric chunks go straight into a Float64Array; only other columns pass
 * through an array of cells, and only one column's at a time.
 */
import type { ColumnData, Compressors, FileMetaData } from "hyparquet";
import { DataLimitError, EmptyFileError, UnreadableFileError } from "../errors.js";
import type { Column, DataLimits, Frame } from "../types.js";
import { type Cell, inferColumn, numericColumn, uniqueNames } from "./infer.js";

type Hyparquet = typeof import("hyparquet");

export async function readParquet(bytes: Uint8Array, limits: DataLimits): Promise<Frame> {
  // Loaded on first use, like exceljs: most files are CSV.
  const hyparquet = await import("hyparquet");
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const metadata = unreadable(() => hyparquet.parquetMetadata(file));
  const header = unreadable(() => hyparquet.parquetSchema(metadata).children.map((c) => c.element.name));
  const nRows = Number(metadata.num_rows);
  checkDeclaredSizes(metadata, header.length, nRows, limits);
  const budget = pageBudget(hyparquet, limits.maxDecompressedBytes);
  const names = uniqueNames(header);
  const columns: Column[] = [];
  for (let j = 0; j < header.length; j++) {
    const chunks: ColumnData[] = [];
    await unreadableAsync(() =>
      hyparquet.parquetRead({
        file,
        metadata,
        columns: [header[j]],
        compressors: budget,
        onChunk: (chunk) => {
          if (chunk.columnName === header[j]) chunks.push(chunk);
        },
      }),
    );
    columns.push(columnFrom(names[j], chunks, nRows));
  }
  return { nRows, columns };
}

/** Rows, columns, cells and unpacked bytes as the file declares them, against the limits. */
function checkDeclaredSizes(metadata: FileMetaData, nColumns: number, nRows: number, limits: DataLimits) {
  if (nColumns === 0) throw new EmptyFileError("The Parquet file has no columns.");
  if (nRows === 0) throw new EmptyFileError("The Parquet file has no rows.");
  if (nColumns > limits.maxColumns) {
    throw new DataLimitError(`The file has ${nColumns} columns; the limit is ${limits.maxColumns}.`, {
      columns: nColumns,
      limit: limits.maxColumns,
    });
  }
  const groupRows = metadata.row_groups.reduce((sum, g) => sum + Number(g.num_rows), 0);
  const rows = Math.max(nRows, groupRows);
  if (!Number.isSafeInteger(rows) || rows > limits.maxRows) {
    throw new DataLimitError(`The file declares ${rows} rows; the limit is ${limits.maxRows}.`, {
      rows,
      limit: limits.maxRows,
    });
  }
  if (rows * nColumns > limits.maxCells) {
    throw new DataLimitError(
      `The file declares ${rows} rows × ${nColumns} columns = ${rows * nColumns} cells; the limit is ${limits.maxCells}.`,
      { rows, columns: nColumns, cells: rows * nColumns, limit: limits.maxCells },
    );
  }
  let unpacked = 0;
  for (const group of metadata.row_groups)
    for (const chunk of group.columns) unpacked += Number(chunk.meta_data?.total_uncompressed_size ?? 0);
  if (unpacked > limits.maxDecompressedBytes) {
    throw new DataLimitError(
      `The file declares ${unpacked} unpacked bytes; the limit is ${limits.maxDecompressedBytes}.`,
      { decompressedBytes: unpacked, limit: limits.maxDecompressedBytes },
    );
  }
}

/**
 * Decompressors that count every page's declared size against the whole file's budget before allocating
 * it. hyparquet itself only knows Snappy (and uncompressed pages, which need no new memory).
 */
function pageBudget(hyparquet: Hyparquet, limit: number): Compressors {
  let used = 0;
  return {
    SNAPPY: (input, outputLength) => {
      used += outputLength;
      if (used > limit) {
        throw new DataLimitError(`The file unpacks to more than ${limit} bytes.`, {
          decompressedBytes: used,
          limit,
        });
      }
      const output = new Uint8Array(outputLength);
      hyparquet.snappyUncompress(input, output);
      return output;
    },
  };
}

/** One column from its chunks: numbers straight into a Float64Array, anything else through cells. */
function columnFrom(name: string, chunks: ColumnData[], nRows: number): Column {
  const values = new Float64Array(nRows).fill(Number.NaN);
  if (chunks.every((chunk) => copyNumbers(chunk, values))) {
    const column = numericColumn(name, values);
    if (column) return column;
  }
  const cells = new Array<Cell>(nRows).fill(null);
  for (const chunk of chunks) {
    // A chunk cannot write past the rows the file declared.
    const end = Math.min(chunk.columnData.length, nRows - chunk.rowStart);
    for (let i = 0; i < end; i++) cells[chunk.rowStart + i] = chunk.columnData[i] as Cell;
  }
  return inferColumn(name, cells);
}

/** Copies a chunk of numbers (null and NaN = missing) into `values`; false at the first other value. */
function copyNumbers(chunk: ColumnData, values: Float64Array): boolean {
  const data = chunk.columnData as ArrayLike<unknown>;
  const end = Math.min(data.length, values.length - chunk.rowStart);
  for (let i = 0; i < end; i++) {
    const v = data[i];
    if (v === null || v === undefined) continue;
    const x = typeof v === "bigint" ? Number(v) : v;
    if (typeof x !== "number" || x === Infinity || x === -Infinity) return false;
    values[chunk.rowStart + i] = x;
  }
  return true;
}

function unreadable<T>(read: () => T): T {
  try {
    return read();
  } catch (cause) {
    throw new UnreadableFileError("This .parquet file could not be read.", {}, { cause });
  }
}

async function unreadableAsync<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (cause) {
    if (cause instanceof DataLimitError) throw cause;
    throw new UnreadableFileError("This .parquet file could not be read.", {}, { cause });
  }
}
