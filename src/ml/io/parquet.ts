/** .parquet → header + cells via hyparquet (column chunks are copied straight into columns). */
import { DataLimitError, EmptyFileError, UnreadableFileError } from "../../errors.js";
import type { DataLimits } from "../types.js";
import type { Cell } from "./infer.js";
import type { CellTable } from "./xlsx.js";

export async function readParquet(bytes: Uint8Array, limits: DataLimits): Promise<CellTable> {
  // Loaded on first use, like exceljs: most files are CSV.
  const { parquetMetadata, parquetRead, parquetSchema } = await import("hyparquet");
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let header: string[];
  let nRows: number;
  try {
    const metadata = parquetMetadata(buffer);
    header = parquetSchema(metadata).children.map((c) => c.element.name);
    nRows = Number(metadata.num_rows);
  } catch (cause) {
    throw new UnreadableFileError("This .parquet file could not be read.", {}, { cause });
  }
  if (header.length === 0) throw new EmptyFileError("The Parquet file has no columns.");
  if (header.length > limits.maxColumns) {
    throw new DataLimitError(`The file has ${header.length} columns; the limit is ${limits.maxColumns}.`, {
      columns: header.length,
      limit: limits.maxColumns,
    });
  }
  if (nRows > limits.maxRows) {
    throw new DataLimitError(`The file has ${nRows} rows; the limit is ${limits.maxRows}.`, {
      limit: limits.maxRows,
    });
  }
  const columns: Cell[][] = header.map(() => new Array<Cell>(nRows).fill(null));
  const position = new Map(header.map((h, j) => [h, j]));
  try {
    await parquetRead({
      file: buffer,
      onChunk(chunk) {
        const j = position.get(chunk.columnName);
        if (j === undefined) return;
        const target = columns[j];
        for (let i = 0; i < chunk.columnData.length; i++)
          target[chunk.rowStart + i] = chunk.columnData[i] as Cell;
      },
    });
  } catch (cause) {
    throw new UnreadableFileError("This .parquet file could not be read.", {}, { cause });
  }
  return { header, columns, nRows };
}
