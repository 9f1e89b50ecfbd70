/**
 * A CSV/TSV reader for what analysts send: RFC 4180 quoting (embedded delimiters, quotes and newlines),
 * CRLF or LF, an auto-detected delimiter, and blank lines skipped. Rows of the wrong length are an error
 * that names the line, because silently padding them shifts values into the wrong columns.
 */
import { DataLimitError, EmptyFileError, MalformedDataError } from "../errors.js";
import type { DataLimits } from "../types.js";

/** Header and cells, column by column (cells as written; quotes removed). */
export interface ParsedText {
  header: string[];
  columns: string[][];
  nRows: number;
}

const CANDIDATES = [",", ";", "\t", "|"] as const;
const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Picks the delimiter whose count is the same, and largest, on the first lines (outside quotes). */
export function detectDelimiter(text: string, fileName: string): string {
  if (/\.tsv$/i.test(fileName) || /\.tab$/i.test(fileName)) return "\t";
  const lines = sampleLines(text, 20);
  let best = ",";
  let bestScore = -1;
  for (const d of CANDIDATES) {
    const counts = lines.map((l) => countOutsideQuotes(l, d));
    const first = counts[0] ?? 0;
    if (first === 0) continue;
    const consistent = counts.filter((c) => c === first).length / counts.length;
    const score = consistent * 1000 + first;
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}

function sampleLines(text: string, max: number): string[] {
  const out: string[] = [];
  let start = 0;
  while (out.length < max && start < text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).replace(/\r$/, "");
    if (line.trim() !== "") out.push(line);
    start = end + 1;
  }
  return out;
}

function countOutsideQuotes(line: string, d: string): number {
  let inQuotes = false;
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (c === d && !inQuotes) n++;
  }
  return n;
}

/** Parses delimited text into columns, enforcing the row, column and cell-length limits. */
export function parseDelimited(text: string, delimiter: string, limits: DataLimits): ParsedText {
  const delim = delimiter.charCodeAt(0);
  const len = text.length;
  let pos = 0;
  let line = 1;
  let header: string[] | null = null;
  let columns: string[][] = [];
  let nRows = 0;
  const record: string[] = [];

  while (pos < len) {
    const recordLine = line;
    record.length = 0;
    // Read one record.
    for (;;) {
      let cell: string;
      if (text.charCodeAt(pos) === QUOTE) {
        let out = "";
        let segStart = pos + 1;
        pos++;
        for (;;) {
          if (pos >= len) throw new MalformedDataError(`Line ${recordLine}: a quoted field is never closed.`);
          const c = text.charCodeAt(pos);
          if (c === QUOTE) {
            if (text.charCodeAt(pos + 1) === QUOTE) {
              out += text.slice(segStart, pos + 1);
              pos += 2;
              segStart = pos;
              continue;
            }
            out += text.slice(segStart, pos);
            pos++;
            break;
          }
          if (c === LF) line++;
          pos++;
        }
        // Anything between the closing quote and the delimiter is kept (lenient, like spreadsheets).
        const tailStart = pos;
        while (pos < len) {
          const c = text.charCodeAt(pos);
          if (c === delim || c === LF || c === CR) break;
          pos++;
        }
        cell = tailStart === pos ? out : out + text.slice(tailStart, pos);
      } else {
        const start = pos;
        while (pos < len) {
          const c = text.charCodeAt(pos);
          if (c === delim || c === LF || c === CR) break;
          pos++;
        }
        cell = text.slice(start, pos);
      }
      if (cell.length > limits.maxCellLength) {
        throw new DataLimitError(
          `Line ${recordLine}: a cell has ${cell.length} characters; the limit is ${limits.maxCellLength}.`,
          { line: recordLine, limit: limits.maxCellLength },
        );
      }
      record.push(cell);
      if (pos >= len) break;
      const c = text.charCodeAt(pos);
      if (c === delim) {
        pos++;
        continue;
      }
      // End of record: CRLF, LF or a lone CR.
      if (c === CR) pos++;
      if (pos < len && text.charCodeAt(pos) === LF) pos++;
      line++;
      break;
    }
    if (record.length === 1 && record[0].trim() === "") continue;
    if (header === null) {
      if (record.length > limits.maxColumns) {
        throw new DataLimitError(
          `The file has ${record.length} columns; the limit is ${limits.maxColumns}.`,
          {
            columns: record.length,
            limit: limits.maxColumns,
          },
        );
      }
      header = record.slice();
      columns = header.map(() => []);
      continue;
    }
    if (record.length !== header.length) {
      throw new MalformedDataError(
        `Line ${recordLine} has ${record.length} fields but the header has ${header.length}.`,
        { line: recordLine, fields: record.length, expected: header.length },
      );
    }
    if (nRows >= limits.maxRows) {
      throw new DataLimitError(`The file has more than ${limits.maxRows} rows.`, { limit: limits.maxRows });
    }
    for (let j = 0; j < record.length; j++) columns[j].push(record[j]);
    nRows++;
  }
  if (header === null) throw new EmptyFileError("The file is empty: no header row was found.");
  return { header, columns, nRows };
}
