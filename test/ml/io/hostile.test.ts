/**
 * Budgets before allocation and the encodings people send: every reader checks what a file declares before
 * it allocates for it, and counts what actually unpacks rather than what the headers claim.
 */
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { DataLimitError, UnreadableFileError } from "../../../src/errors.js";
import { describeFrame, readTable } from "../../../src/ml/index.js";
import { scanWorkbook } from "../../../src/ml/io/xlsx.js";
import type { CategoricalColumn, Frame, NumericColumn } from "../../../src/ml/types.js";
import {
  lyingParquet,
  parquetDeclaringUnpacked,
  utf16,
  wideHeaderCsv,
  windows1252,
  xlsxWithHugeSharedStrings,
  xlsxWithLyingSizes,
} from "../../helpers/hostile-files.js";

const levels = (f: Frame, name: string) => {
  const c = f.columns.find((x) => x.name === name) as CategoricalColumn;
  return Array.from(c.codes, (k) => c.levels[k]);
};
const numbers = (f: Frame, name: string) =>
  Array.from((f.columns.find((x) => x.name === name) as NumericColumn).values);

describe("encodings", () => {
  const text = "cidade\tpreço\tavaliação\nSão Paulo\t12,5\tótima\nBelém\t7,25\truim\nGoiânia\t9\tótima\n";

  it("reads UTF-16 LE and BE with a BOM (Excel's Unicode Text), accented names intact", async () => {
    for (const order of ["le", "be"] as const) {
      const f = await readTable(utf16(text, order), { fileName: "export.txt" });
      expect(f.columns.map((c) => c.name)).toEqual(["cidade", "preço", "avaliação"]);
      expect(levels(f, "cidade")).toEqual(["São Paulo", "Belém", "Goiânia"]);
      expect(numbers(f, "preço")).toEqual([12.5, 7.25, 9]);
    }
  });

  it("reads Windows-1252 with semicolons, and pipes", async () => {
    const f = await readTable(windows1252("região;café;nota\nNordeste;sim;8\nSul;não;6\n"), {
      fileName: "a.csv",
    });
    expect(f.columns.map((c) => c.name)).toEqual(["região", "café", "nota"]);
    expect(levels(f, "café")).toEqual(["sim", "não"]);
    const piped = await readTable(new TextEncoder().encode("a|b\n1|x\n2|y\n"), { fileName: "p.txt" });
    expect(numbers(piped, "a")).toEqual([1, 2]);
  });

  it("still calls a real binary file binary", async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48]);
    await expect(readTable(png, { fileName: "photo.csv" })).rejects.toThrow(/binary file/);
  });
});

describe("Parquet: declared sizes are checked before anything is allocated", () => {
  it("refuses 1e6 rows × 300 columns by the cell limit (the file is under a kilobyte per column)", async () => {
    const file = lyingParquet({ columns: 300, declaredRows: 1_000_000 });
    const read = readTable(file, { fileName: "x.parquet" });
    await expect(read).rejects.toThrow(DataLimitError);
    await expect(readTable(file, { fileName: "x.parquet" })).rejects.toThrow(/3000000+ cells; the limit/);
  });

  it("refuses column chunks that declare more unpacked bytes than allowed", async () => {
    const file = lyingParquet({ columns: 2, declaredRows: 1, declaredUnpackedBytes: 2 ** 40 });
    await expect(readTable(file, { fileName: "x.parquet" })).rejects.toThrow(
      /declares 2199023255552 unpacked bytes/,
    );
  });

  it("counts pages as they unpack, whatever the column chunks declare", async () => {
    const values = Float64Array.from({ length: 50_000 }, (_, i) => i * 1.5);
    const honest = new Uint8Array(parquetWriteBuffer({ columnData: [{ name: "v", data: values }] }));
    const limits = { maxDecompressedBytes: 100_000 };
    await expect(readTable(honest, { fileName: "v.parquet", limits })).rejects.toThrow(
      /declares \d+ unpacked/,
    );
    const lying = parquetDeclaringUnpacked(honest, 10);
    await expect(readTable(lying, { fileName: "v.parquet", limits })).rejects.toThrow(
      /unpacks to more than 100000 bytes/,
    );
    expect(numbers(await readTable(lying, { fileName: "v.parquet" }), "v").slice(0, 3)).toEqual([0, 1.5, 3]);
  });

  it("never writes past the rows the footer declared", async () => {
    const f = await readTable(lyingParquet({ columns: 3, declaredRows: 5 }), { fileName: "x.parquet" });
    expect(f.nRows).toBe(5);
    expect(numbers(f, "c0")[0]).toBe(7);
    expect(numbers(f, "c0").slice(1).every(Number.isNaN)).toBe(true);
  });
});

describe("xlsx: what unpacks is counted, not what the headers say", () => {
  it("stops inflating at the limit when every header claims 1 KB", async () => {
    const bomb = await xlsxWithLyingSizes(30 * 1024 * 1024);
    const limits = { maxDecompressedBytes: 10 * 1024 * 1024 };
    await expect(readTable(bomb, { fileName: "bomb.xlsx", limits })).rejects.toThrow(
      /unpacks to more than 10485760 bytes/,
    );
  });

  it("refuses a shared-strings table far larger than the sheets could use", async () => {
    const file = await xlsxWithHugeSharedStrings(200_000);
    await expect(readTable(file, { fileName: "sst.xlsx" })).rejects.toThrow(
      /shared-strings table has 20000\d entries, far more than its \d+ cells/,
    );
  });

  it("counts cells and shared strings across chunk boundaries", async () => {
    const file = await xlsxWithHugeSharedStrings(5_000);
    const scan = scanWorkbook(file, {
      maxBytes: 1e9,
      maxRows: 1e6,
      maxColumns: 1e3,
      maxCellLength: 1e4,
      maxCells: 5e7,
      maxDecompressedBytes: 1e9,
    });
    expect(scan.cells).toBe(6);
    expect(scan.sharedStrings).toBe(5_000 + 4);
    expect(describeFrame(await readTable(file, { fileName: "ok.xlsx" })).nRows).toBe(2);
  });

  it("says a damaged workbook is not a workbook", async () => {
    const zip = await xlsxWithHugeSharedStrings(1);
    await expect(readTable(zip.subarray(0, 200), { fileName: "cut.xlsx" })).rejects.toThrow(
      UnreadableFileError,
    );
    const scrambled = zip.slice();
    for (let i = 100; i < scrambled.length - 200; i += 7) scrambled[i] ^= 0x5a;
    await expect(readTable(scrambled, { fileName: "scrambled.xlsx" })).rejects.toThrow(UnreadableFileError);
  });
});

describe("CSV", () => {
  it("refuses a header line of 100,000 columns by the column limit", async () => {
    await expect(
      readTable(new TextEncoder().encode(wideHeaderCsv(100_000)), { fileName: "w.csv" }),
    ).rejects.toThrow(/100000 columns; the limit is 1000/);
  });
});
