/** The predictions file: every input row and column, plus the new column(s), as RFC 4180 CSV in UTF-8. */
import type { Column, Frame } from "../types.js";
import { formatDate } from "./dates.js";

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export function writeCsv(
  frame: Frame,
  extraColumns: Array<{ name: string; values: ArrayLike<number | string> }> = [],
): Uint8Array {
  const header = [...frame.columns.map((c) => c.name), ...extraColumns.map((c) => c.name)].map(quote);
  const lines: string[] = [header.join(",")];
  const cells = new Array<string>(header.length);
  for (let i = 0; i < frame.nRows; i++) {
    let j = 0;
    for (const col of frame.columns) cells[j++] = quote(cellText(col, i));
    for (const extra of extraColumns) cells[j++] = quote(extraText(extra.values[i]));
    lines.push(cells.join(","));
  }
  return new TextEncoder().encode(`${lines.join("\r\n")}\r\n`);
}

function cellText(col: Column, i: number): string {
  if ("codes" in col) return col.codes[i] < 0 ? "" : col.levels[col.codes[i]];
  const v = col.values[i];
  if (Number.isNaN(v)) return "";
  if (col.type === "datetime") return formatDate(v);
  if (col.type === "boolean") return v === 1 ? "true" : "false";
  return String(v);
}

function extraText(v: number | string | undefined): string {
  if (v === undefined) return "";
  if (typeof v === "number") return Number.isNaN(v) ? "" : String(v);
  return v;
}

function quote(s: string): string {
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
