import type { DataLimits } from "../types.js";

/**
 * Defaults match src/config.ts (MAX_UPLOAD_MB 20, MAX_ROWS 1e6, MAX_COLUMNS 1000, MAX_CELL_LENGTH 1e4,
 * MAX_CELLS 5e7, MAX_UNPACKED_MB 200).
 */
export const DEFAULT_LIMITS: DataLimits = {
  maxBytes: 20 * 1024 * 1024,
  maxRows: 1_000_000,
  maxColumns: 1_000,
  maxCellLength: 10_000,
  maxCells: 50_000_000,
  maxDecompressedBytes: 200 * 1024 * 1024,
};

export function resolveLimits(limits?: Partial<DataLimits>): DataLimits {
  return { ...DEFAULT_LIMITS, ...(limits ?? {}) };
}
