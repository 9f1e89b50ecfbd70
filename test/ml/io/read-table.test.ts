/** Reader edge cases: every one is a file an analyst has actually sent. */
import ExcelJS from "exceljs";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { DataLimitError, EmptyFileError, MalformedDataError } from "../../../src/errors.js";
import { readTable } from "../../../src/ml/index.js";
import type { CategoricalColumn, Column, Frame, NumericColumn } from "../../../src/ml/types.js";

const enc = (s: string) => new TextEncoder().encode(s);
const col = (f: Frame, name: string): Column => {
  const c = f.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
};
const num = (f: Frame, name: string) => Array.from((col(f, name) as NumericColumn).values);
const text = (f: Frame, name: string) => {
  const c = col(f, name) as CategoricalColumn;
  return Array.from(c.codes, (k) => (k < 0 ? null : c.levels[k]));
};

describe("readTable: CSV text", () => {
  it("drops a UTF-8 BOM from the first header", async () => {
    const f = await readTable(enc("\uFEFFname,score\nAnn,1\nBo,2\n"), { fileName: "a.csv" });
    expect(f.columns.map((c) => c.name)).toEqual(["name", "score"]);
  });

  it("falls back to Latin-1/CP1252 when the bytes are not UTF-8", async () => {
    // "café;1\nnaïve;2" in Windows-1252: é = 0xE9, ï = 0xEF
    const bytes = Uint8Array.from([...enc("word,n\ncaf"), 0xe9, ...enc(",1\nna"), 0xef, ...enc("ve,2\n")]);
    const f = await readTable(bytes, { fileName: "latin.csv" });
    expect(text(f, "word")).toEqual(["café", "naïve"]);
  });

  it("detects a semicolon delimiter and decimal commas", async () => {
    const f = await readTable(enc("a;b;c\n1,5;x;2\n2,25;y;3\n"), { fileName: "eu.csv" });
    expect(f.columns.map((c) => c.name)).toEqual(["a", "b", "c"]);
    expect(num(f, "a")).toEqual([1.5, 2.25]);
  });

  it("reads tab-separated files", async () => {
    const f = await readTable(enc("x\ty\n1\t2\n3\t4\n"), { fileName: "t.tsv" });
    expect(num(f, "y")).toEqual([2, 4]);
  });

  it("keeps quoted delimiters, quotes and newlines inside a field, with CRLF line ends", async () => {
    const csv = 'id,comment,v\r\n1,"hello, world",1\r\n2,"she said ""hi""\r\nthen left",2\r\n';
    const f = await readTable(enc(csv), { fileName: "q.csv" });
    expect(f.nRows).toBe(2);
    expect(text(f, "comment")).toEqual(["hello, world", 'she said "hi"\r\nthen left']);
    expect(num(f, "v")).toEqual([1, 2]);
  });

  it("rejects a ragged row with its line number (counting quoted newlines)", async () => {
    const csv = 'a,b\n1,"x\ny"\n2,3,4\n';
    await expect(readTable(enc(csv), { fileName: "r.csv" })).rejects.toThrow(MalformedDataError);
    await expect(readTable(enc(csv), { fileName: "r.csv" })).rejects.toThrow(/Line 4 has 3 fields/);
  });

  it("makes duplicate and empty header names unique", async () => {
    const f = await readTable(enc("x,x,,x\n1,2,3,4\n"), { fileName: "d.csv" });
    expect(f.columns.map((c) => c.name)).toEqual(["x", "x_2", "column_3", "x_3"]);
  });

  it("keeps an all-missing column and treats every missing marker as missing", async () => {
    const csv = "v,empty\n1,\nNA,NA\nN/A,null\nnull,NaN\n-,-\n?,?\nNaN,\n8,\n";
    const f = await readTable(enc(csv), { fileName: "m.csv" });
    const v = num(f, "v");
    expect(v.filter((x) => !Number.isNaN(x))).toEqual([1, 8]);
    const empty = col(f, "empty");
    expect(f.nRows).toBe(8);
    expect("codes" in empty ? Array.from(empty.codes).every((c) => c < 0) : false).toBe(true);
  });

  it("refuses a file with 1,001 columns (default limit 1,000)", async () => {
    const header = Array.from({ length: 1001 }, (_, j) => `c${j}`).join(",");
    const row = Array.from({ length: 1001 }, () => "1").join(",");
    await expect(readTable(enc(`${header}\n${row}\n`), { fileName: "wide.csv" })).rejects.toThrow(
      DataLimitError,
    );
    await expect(readTable(enc(`${header}\n${row}\n`), { fileName: "wide.csv" })).rejects.toThrow(
      /1001 columns/,
    );
  });

  it("enforces the byte, row and cell-length limits", async () => {
    const csv = enc("a\n1\n2\n3\n");
    await expect(readTable(csv, { fileName: "a.csv", limits: { maxBytes: 4 } })).rejects.toThrow(
      DataLimitError,
    );
    await expect(readTable(csv, { fileName: "a.csv", limits: { maxRows: 2 } })).rejects.toThrow(
      /more than 2 rows/,
    );
    await expect(
      readTable(enc("a\nxxxxxx\n"), { fileName: "a.csv", limits: { maxCellLength: 5 } }),
    ).rejects.toThrow(/6 characters/);
  });

  it("refuses empty files and header-only files", async () => {
    await expect(readTable(new Uint8Array(0), { fileName: "e.csv" })).rejects.toThrow(EmptyFileError);
    await expect(readTable(enc("a,b\n"), { fileName: "h.csv" })).rejects.toThrow(EmptyFileError);
  });
});

describe("readTable: column types", () => {
  it("infers numeric, integer, boolean, categorical, datetime, text and identifier", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => {
      const day = String((i % 28) + 1).padStart(2, "0");
      const words = `note number ${i} about the customer visit`;
      return [
        i + 1,
        (i * 0.37).toFixed(2),
        i % 5,
        i % 2 ? "yes" : "no",
        ["red", "green", "blue"][i % 3],
        `2024-03-${day}`,
        words,
        `u${1000 + i * 7}`,
      ];
    });
    const csv = ["row_id,price,rating,member,color,when,comment,user"]
      .concat(rows.map((r) => r.join(",")))
      .join("\n");
    const f = await readTable(enc(csv), { fileName: "types.csv" });
    const types = Object.fromEntries(f.columns.map((c) => [c.name, c.type]));
    expect(types).toEqual({
      row_id: "identifier",
      price: "numeric",
      rating: "integer",
      member: "boolean",
      color: "categorical",
      when: "datetime",
      comment: "text",
      user: "identifier",
    });
    expect(num(f, "when")[0]).toBe(Date.UTC(2024, 2, 1));
  });

  it("reads day-first dates unless a value proves month-first", async () => {
    const dmy = await readTable(enc("d\n03/04/2024\n25/12/2023\n"), { fileName: "d.csv" });
    expect(num(dmy, "d")).toEqual([Date.UTC(2024, 3, 3), Date.UTC(2023, 11, 25)]);
    const mdy = await readTable(enc("d\n03/04/2024\n12/25/2023\n"), { fileName: "d.csv" });
    expect(num(mdy, "d")).toEqual([Date.UTC(2024, 2, 4), Date.UTC(2023, 11, 25)]);
  });
});

describe("readTable: Excel and Parquet", () => {
  it("reads an .xlsx written with exceljs into the same frame", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet("data");
    ws.addRow(["name", "age", "joined", "score"]);
    ws.addRow(["Ann", 31, new Date(Date.UTC(2021, 0, 5)), { formula: "B2*2", result: 62 }]);
    ws.addRow(["Bo", 42, new Date(Date.UTC(2022, 6, 1)), { formula: "B3*2", result: 84 }]);
    ws.addRow(["Cy", null, null, 10]);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    const f = await readTable(bytes, { fileName: "book.xlsx" });
    expect(f.nRows).toBe(3);
    expect(text(f, "name")).toEqual(["Ann", "Bo", "Cy"]);
    expect(num(f, "age").slice(0, 2)).toEqual([31, 42]);
    expect(num(f, "age")[2]).toBeNaN();
    expect(col(f, "joined").type).toBe("datetime");
    expect(num(f, "score")).toEqual([62, 84, 10]);
  });

  it("refuses an .xlsx whose content unpacks beyond the limit", async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet("s").addRow(["a"]);
    const bytes = new Uint8Array(await wb.xlsx.writeBuffer());
    await expect(
      readTable(bytes, { fileName: "b.xlsx", limits: { maxDecompressedBytes: 100 } }),
    ).rejects.toThrow(DataLimitError);
  });

  it("reads a .parquet written with hyparquet-writer", async () => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: "city", data: ["Oslo", "Rome", null, "Oslo"], type: "STRING" },
        { name: "temp", data: [3.5, 18.25, 11, null], type: "DOUBLE" },
        { name: "n", data: [1, 2, 3, 4], type: "INT32" },
      ],
    });
    const f = await readTable(new Uint8Array(buffer), { fileName: "t.parquet" });
    expect(f.nRows).toBe(4);
    expect(text(f, "city")).toEqual(["Oslo", "Rome", null, "Oslo"]);
    expect(num(f, "temp").slice(0, 3)).toEqual([3.5, 18.25, 11]);
    expect(num(f, "n")).toEqual([1, 2, 3, 4]);
  });
});
