/**
 * Files a stranger might send, generated in the test (large ones are small to store and cheap to make):
 * Parquet footers that declare far more than the pages hold, workbooks whose zip headers lie, a
 * shared-strings table no sheet could use, a 100,000-column header, and the encodings Excel writes.
 */
import ExcelJS from "exceljs";
import { strToU8, unzipSync, type Zippable, zipSync } from "fflate";
import { parquetMetadata } from "hyparquet";
import { ByteWriter, parquetWriteBuffer } from "hyparquet-writer";
import { writeMetadata } from "hyparquet-writer/src/metadata.js";

/** A real Parquet file: `rows` × `columns` of one integer, which compresses to a few dozen KB. */
export function constantParquet(rows: number, columns: number): Uint8Array {
  const data = new Int32Array(rows);
  const buffer = parquetWriteBuffer({
    columnData: Array.from({ length: columns }, (_, j) => ({ name: `c${j}`, data, type: "INT32" as const })),
  });
  return new Uint8Array(buffer);
}

/**
 * A Parquet file with one row of data whose footer declares `declaredRows` rows (in the file and in its
 * row group) and, when given, `declaredUnpackedBytes` per column chunk: under a kilobyte on disk.
 */
export function lyingParquet(options: {
  columns: number;
  declaredRows: number;
  declaredUnpackedBytes?: number;
}): Uint8Array {
  const one = new Int32Array([7]);
  const honest = parquetWriteBuffer({
    columnData: Array.from({ length: options.columns }, (_, j) => ({
      name: `c${j}`,
      data: one,
      type: "INT32" as const,
    })),
  });
  return withFooter(new Uint8Array(honest), (metadata) => {
    metadata.num_rows = BigInt(options.declaredRows);
    for (const group of metadata.row_groups) group.num_rows = BigInt(options.declaredRows);
    if (options.declaredUnpackedBytes !== undefined) declareUnpacked(metadata, options.declaredUnpackedBytes);
  });
}

/** The same Parquet file with every column chunk declaring `bytes` unpacked bytes. */
export function parquetDeclaringUnpacked(file: Uint8Array, bytes: number): Uint8Array {
  return withFooter(file, (metadata) => declareUnpacked(metadata, bytes));
}

type Metadata = ReturnType<typeof parquetMetadata>;

function declareUnpacked(metadata: Metadata, bytes: number): void {
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      if (chunk.meta_data) chunk.meta_data.total_uncompressed_size = BigInt(bytes);
    }
  }
}

/** Rewrites a Parquet file's footer (its metadata) after `edit`; the pages stay as they were. */
function withFooter(file: Uint8Array, edit: (metadata: Metadata) => void): Uint8Array {
  const metadata = parquetMetadata(file.slice().buffer as ArrayBuffer);
  edit(metadata);
  const footerLength = new DataView(file.buffer, file.byteOffset).getUint32(file.length - 8, true);
  const body = file.subarray(0, file.length - 8 - footerLength);
  const writer = new ByteWriter();
  writeMetadata(writer, metadata as Parameters<typeof writeMetadata>[1]);
  const footer = new Uint8Array(writer.getBuffer());
  const out = new Uint8Array(body.length + footer.length + 8);
  out.set(body);
  out.set(footer, body.length);
  new DataView(out.buffer).setUint32(body.length + footer.length, footer.length, true);
  out.set(strToU8("PAR1"), out.length - 4);
  return out;
}

/** A small, valid workbook written by exceljs: its entries, unzipped, for the files below to extend. */
async function workbookEntries(): Promise<Record<string, Uint8Array>> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("data");
  ws.addRow(["name", "score"]);
  ws.addRow(["Ann", 1]);
  ws.addRow(["Bo", 2]);
  return unzipSync(new Uint8Array(await wb.xlsx.writeBuffer()));
}

/**
 * A workbook with an extra entry that unpacks to `unpackedBytes` (spaces), every zip header (local and
 * central) declaring each entry's size as 1 KB: what a zip bomb looks like to a reader that trusts headers.
 */
export async function xlsxWithLyingSizes(unpackedBytes: number): Promise<Uint8Array> {
  const entries: Zippable = await workbookEntries();
  entries["xl/media/padding.xml"] = [new Uint8Array(unpackedBytes).fill(0x20), { level: 1 }];
  return declareSizes(zipSync(entries), 1024);
}

/** Overwrites the uncompressed size in every local and central directory header. */
function declareSizes(zip: Uint8Array, size: number): Uint8Array {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = zip.length - 22;
  while (view.getUint32(end, true) !== 0x06054b50) end--;
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  for (let k = 0; k < count; k++) {
    view.setUint32(at + 24, size, true);
    view.setUint32(view.getUint32(at + 42, true) + 22, size, true);
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return zip;
}

/** A three-row workbook whose shared-strings table also holds `entries` strings no cell uses. */
export async function xlsxWithHugeSharedStrings(entries: number): Promise<Uint8Array> {
  const files = await workbookEntries();
  const sst = new TextDecoder().decode(files["xl/sharedStrings.xml"]);
  const junk = "<si><t>x</t></si>".repeat(entries);
  files["xl/sharedStrings.xml"] = strToU8(sst.replace("</sst>", `${junk}</sst>`));
  return zipSync(files, { level: 6 });
}

/** A CSV whose header has `columns` names, then one row. */
export function wideHeaderCsv(columns: number): string {
  const header = Array.from({ length: columns }, (_, j) => `c${j}`).join(",");
  return `${header}\n${Array.from({ length: columns }, () => "1").join(",")}\n`;
}

/** Text as Excel's "Unicode Text" export writes it: UTF-16 with a byte-order mark. */
export function utf16(text: string, order: "le" | "be" = "le"): Uint8Array {
  const out = new Uint8Array(2 + text.length * 2);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xfeff, order === "le");
  for (let i = 0; i < text.length; i++) view.setUint16(2 + 2 * i, text.charCodeAt(i), order === "le");
  return out;
}

/** Text in Windows-1252 (Latin-1 characters only). */
export function windows1252(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => {
    const code = c.charCodeAt(0);
    if (code > 0xff) throw new Error(`${c} is not in Latin-1`);
    return code;
  });
}
