/**
 * The fast CSV path reads exactly what the general reader reads: the same frames on every shared dataset
 * and on awkward files, numbers equal to Number(text) at every length, and a fall-back to the general
 * reader when a column changes its nature after the sampled rows.
 */

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readTable } from "../../../src/ml/index.js";
import { detectDelimiter, parseDelimited } from "../../../src/ml/io/csv.js";
import { decodeText } from "../../../src/ml/io/decode.js";
import { DEFAULT_LIMITS } from "../../../src/ml/io/limits.js";
import { fieldEnd, parseNumberBytes, parseNumberField } from "../../../src/ml/io/number-bytes.js";
import { frameFromCells } from "../../../src/ml/io/read-table.js";
import { Random } from "../../../src/ml/random.js";
import type { CategoricalColumn, Frame, NumericColumn } from "../../../src/ml/types.js";
import { fixturePath } from "../helpers/fixtures.js";

const enc = (s: string) => new TextEncoder().encode(s);

/** The general reader: text, cells, inference per cell. */
function slowRead(bytes: Uint8Array, fileName: string): Frame {
  const { text } = decodeText(bytes);
  return frameFromCells(parseDelimited(text, detectDelimiter(text, fileName), DEFAULT_LIMITS));
}

async function expectSameAsSlow(bytes: Uint8Array, fileName = "x.csv"): Promise<Frame> {
  const fast = await readTable(bytes, { fileName });
  expect(fast).toEqual(slowRead(bytes, fileName));
  return fast;
}

describe("fast CSV path", () => {
  it.each(["diabetes", "breast_cancer", "wine", "iris", "penguins"])(
    "reads %s.csv exactly as the general reader",
    async (name) => {
      await expectSameAsSlow(readFileSync(fixturePath(`${name}.csv`)), `${name}.csv`);
    },
  );

  it("parses every number to Number(text): short, long (16–19 digits), exponents, signs, spaces", () => {
    const rng = new Random(8);
    const texts = [
      "0",
      "-0",
      "+1.5",
      " 2.25 ",
      "1e5",
      "1E-5",
      ".5",
      "5.",
      "-.5e+3",
      "0.30000000000000004",
      "1e400",
      "9007199254740993",
    ];
    for (let k = 0; k < 20_000; k++) {
      const v = rng.normal() * 10 ** (rng.int(30) - 15);
      texts.push(String(v), v.toExponential(rng.int(16)), v.toFixed(rng.int(12)));
      let digits = String(1 + rng.int(9));
      for (let i = 0; i < 15 + rng.int(4); i++) digits += String(rng.int(10));
      const point = rng.int(digits.length);
      texts.push(`${digits.slice(0, point)}.${digits.slice(point)}`);
    }
    for (const t of texts) {
      const b = enc(t);
      expect(Object.is(parseNumberBytes(b, 0, b.length), Number(t.trim())), t).toBe(true);
    }
    for (const junk of ["", "-", "1e", "1.2.3", "abc", "1,5", "0x10", "12a"]) {
      const b = enc(junk);
      expect(parseNumberBytes(b, 0, b.length), junk).toBeNaN();
    }
  });

  it("reads a numeric field in one pass to the same value as Number(text), or declines it", () => {
    const rng = new Random(9);
    const ends = [",", "\n", "\r\n", ";", ""];
    let taken = 0;
    const wrong: string[] = [];
    for (let k = 0; k < 10_000; k++) {
      const v = rng.normal() * 10 ** (rng.int(50) - 25);
      for (const t of [String(v), v.toExponential(rng.int(17)), v.toFixed(rng.int(15)), `${rng.int(1e6)}`]) {
        const end = ends[rng.int(ends.length)];
        const b = enc(`x${t}${end}tail`);
        const len = end === "" ? 1 + t.length : b.length;
        const got = parseNumberField(b, 1, len, end === ";" ? 59 : 44);
        if (fieldEnd < 0) continue; // declined: the caller uses parseNumberBytes, tested above
        taken++;
        if (fieldEnd !== 1 + t.length || !Object.is(got, Number(t))) wrong.push(t);
      }
    }
    expect(wrong).toEqual([]);
    // Most plain numbers (all but extreme exponents and over-long mantissas) take the one-pass reader.
    expect(taken).toBeGreaterThan(30_000);
    const empty = enc(",");
    expect(parseNumberField(empty, 0, 1, 44)).toBeNaN();
    expect(fieldEnd).toBe(0);
    for (const declined of [
      " 1",
      "1 ",
      '"1"',
      " ",
      "-",
      "1e",
      "1.2.3",
      "NA",
      "1e400",
      "12345678901234567890",
      "0x1",
    ]) {
      const b = enc(`${declined},`);
      parseNumberField(b, 0, b.length, 44);
      expect(fieldEnd, declined).toBe(-1);
    }
  });

  it("handles quotes, CRLF, blank lines, missing spellings and padding the way the general reader does", async () => {
    const csv =
      'id,name,score,flag\r\n1,"Smith, Ann",3.5,yes\r\n\r\n2,"He said ""hi""",NA,no\r\n3, Bo ,"4",\r\n4,?,  7 ,yes\r\n';
    const f = await expectSameAsSlow(enc(csv));
    expect(Array.from((f.columns[2] as NumericColumn).values)).toEqual([3.5, Number.NaN, 4, 7]);
  });

  it("falls back when a numeric-looking column holds text after the sampled rows", async () => {
    const rows = Array.from({ length: 1500 }, (_, i) => `${i % 7},${i % 3 === 0 ? "a" : "b"}`);
    rows[1400] = "oops,b";
    const f = await expectSameAsSlow(enc(`n,g\n${rows.join("\n")}\n`));
    expect(f.columns[0].type).toBe("categorical");
  });

  it("decodes texts as Windows-1252 when a value after the sample is not UTF-8", async () => {
    const head = Array.from({ length: 1200 }, (_, i) => `${i},plain`).join("\n");
    const bytes = Uint8Array.from([...enc(`n,word\n${head}\n1200,caf`), 0xe9, ...enc("\n")]);
    const f = await expectSameAsSlow(bytes);
    const word = f.columns[1] as CategoricalColumn;
    expect(word.levels).toContain("café");
  });

  it("types text columns from their distinct values: decimal commas, booleans, dates", async () => {
    await expectSameAsSlow(enc("a;b;c;d\n1,5;yes;2024-01-02;x\n2,25;no;2024-02-03;y\n;yes;;x\n"), "eu.csv");
  });
});
