/**
 * The WebAssembly row kernel (src/ml/io/csv-rows.ts) changes nothing but speed: parseCsvBytes with it gives
 * the same table as with every row read by the JavaScript path — the same values bit for bit, the same codes
 * and dictionaries, the same decline (null) and the same errors — on numbers of every shape and on fuzzed
 * files with quotes, embedded newlines, CRLF, blank lines, missing values, categoricals and dates, large
 * enough that rows straddle the kernel's 64 KiB windows at many places.
 */
import { describe, expect, it } from "vitest";
import { type FastTable, parseCsvBytes } from "../../../src/ml/io/csv-bytes.js";
import { DEFAULT_LIMITS } from "../../../src/ml/io/limits.js";
import { Random } from "../../../src/ml/random.js";
import type { DataLimits } from "../../../src/ml/types.js";

const enc = (s: string) => new TextEncoder().encode(s);

function parse(text: string, numeric: boolean[], kernel: boolean, limits: DataLimits = DEFAULT_LIMITS) {
  const bytes = enc(text);
  const start = bytes.indexOf(10) + 1;
  const header = Array.from(numeric, (_, j) => `c${j}`);
  try {
    return parseCsvBytes(bytes, start, header, numeric, 44, limits, 20, kernel);
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** Columns as plain arrays: values by their bits (NaN and −0 included), texts as codes and their levels. */
function plain(t: FastTable | null | { error: string }) {
  if (t === null || "error" in t) return t;
  return {
    nRows: t.nRows,
    columns: t.columns.map((c) =>
      c.kind === "number"
        ? Array.from(c.values, (v) => (Object.is(v, -0) ? "-0" : Number.isNaN(v) ? "NaN" : v))
        : {
            codes: Array.from(c.codes),
            levels: Array.from({ length: c.dictionary.size }, (_, code) =>
              new TextDecoder().decode(c.dictionary.bytesOf(code)),
            ),
          },
    ),
  };
}

function expectSame(text: string, numeric: boolean[], limits?: DataLimits) {
  const withKernel = plain(parse(text, numeric, true, limits));
  expect(withKernel).toEqual(plain(parse(text, numeric, false, limits)));
  return withKernel;
}

function numberText(rng: Random): string {
  const v = rng.normal() * 10 ** (rng.int(40) - 20);
  switch (rng.int(12)) {
    case 0:
      return v.toExponential(rng.int(18));
    case 1:
      return v.toFixed(rng.int(15));
    case 2:
      return String(Math.round(v * 1000));
    case 3: {
      // 15 to 21 digit mantissas, with the point anywhere.
      let digits = String(1 + rng.int(9));
      const length = 15 + rng.int(7);
      while (digits.length < length) digits += String(rng.int(10));
      const point = rng.int(length + 1);
      return `${digits.slice(0, point)}.${digits.slice(point)}`;
    }
    case 4:
      return ["", "-0", "+1", ".5", "5.", "-.5e+3", "007", "0.000123", "1e22", "1e-22", "1e23", "2e-23"][
        rng.int(12)
      ];
    case 5:
      return ["9007199254740993", "9007199254740992", "18014398509481985", "0.30000000000000004"][rng.int(4)];
    default:
      return String(v);
  }
}

describe("CSV row kernel", () => {
  it("parses numbers of every shape to the same bits as the JavaScript path", () => {
    const rng = new Random(21);
    const rows = ["a,b,c"];
    for (let i = 0; i < 30_000; i++) rows.push([numberText(rng), numberText(rng), numberText(rng)].join(","));
    const text = `${rows.join("\n")}\n`;
    const got = expectSame(text, [true, true, true]) as { nRows: number; columns: unknown[][] };
    expect(got.nRows).toBe(30_000);
    // And each value is Number(text) (an empty cell missing).
    const cells = rows.slice(1).map((r) => r.split(","));
    got.columns.forEach((col, j) => {
      col.forEach((v, i) => {
        const want = cells[i][j] === "" ? Number.NaN : Number(cells[i][j]);
        expect(Object.is(want, -0) ? "-0" : Number.isNaN(want) ? "NaN" : want).toEqual(v);
      });
    });
  });

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`reads a fuzzed file (seed ${seed}) exactly as the JavaScript path`, () => {
      const rng = new Random(seed);
      const levels = ["north", "south", "east", "west", "NA", "", "-", " east ", "\twest", "  "];
      const eol = seed % 2 === 0 ? "\r\n" : "\n";
      // Even seeds end each row with a text column (so CR LF follows text), odd ones with a number.
      const order = seed % 2 === 0 ? [0, 1, 2, 3, 5, 4] : [0, 1, 2, 3, 4, 5];
      const pick = (fields: unknown[]) => order.map((j) => fields[j]);
      const lines = [pick(["id", "x", "region", "when", "note", "y"]).join(",")];
      const n = 6000 + rng.int(3000);
      for (let i = 0; i < n; i++) {
        const note =
          rng.int(40) === 0
            ? `"said ""hi""${rng.int(3) === 0 ? "\nover two lines" : ""}"`
            : `n${rng.int(50)}`;
        const x = rng.int(30) === 0 ? ["NA", " 1.5", "?", ""][rng.int(4)] : numberText(rng);
        const when = rng.int(20) === 0 ? "" : `2022-${1 + rng.int(12)}-${1 + rng.int(28)}`;
        lines.push(pick([i, x, levels[rng.int(levels.length)], when, note, rng.int(2)]).join(","));
        if (rng.int(500) === 0) lines.push(rng.int(2) === 0 ? "" : "   ");
      }
      // The last row without a line end half of the time.
      const text = lines.join(eol) + (seed % 3 === 0 ? "" : eol);
      const numeric = pick([true, true, false, false, false, true]) as boolean[];
      const got = expectSame(text, numeric) as { nRows: number };
      expect(got.nRows).toBe(n);
    });
  }

  it("gives text the codes of the kernel's table of seen values: repeats, a full table, long values", () => {
    const rng = new Random(9);
    // 20,000 distinct values for a table of 2048 (it fills up), most rows among 20 of them, lengths 1 to 24
    // around the 20 bytes an entry holds, values that differ only in their last byte, spaces that trimming
    // removes, and a second text column that is all distinct (an id).
    const value = (k: number) => `${"v".repeat(k % 24)}${k}`.slice(-1 - (k % 24));
    const lines = ["id,word,x,tag"];
    for (let i = 0; i < 40_000; i++) {
      const k = rng.int(3) === 0 ? rng.int(20) : rng.int(20_000);
      const pad = rng.int(10) === 0 ? " " : "";
      lines.push(`id${i},${pad}${value(k)}${pad},${rng.int(100)},t${rng.int(3)}x`);
    }
    const got = expectSame(`${lines.join("\n")}\n`, [false, false, true, false]) as {
      columns: { codes: number[]; levels: string[] }[];
    };
    // And the codes name the right texts.
    lines.slice(1).forEach((line, i) => {
      const [, word, , tag] = line.split(",");
      expect(got.columns[1].levels[got.columns[1].codes[i]]).toBe(word.trim());
      expect(got.columns[3].levels[got.columns[3].codes[i]]).toBe(tag);
    });
  });

  it("declines, and fails, the same way: text in a number column, field counts, limits", () => {
    const head = "a,b\n";
    const many = Array.from({ length: 5000 }, (_, i) => `${i},${i / 7}`).join("\n");
    expect(expectSame(`${head}${many}\nx,1\n`, [true, true])).toBeNull();
    expect(expectSame(`${head}${many}\n1,2,3\n`, [true, true])).toMatchObject({ error: /fields/ });
    expect(expectSame(`${head}${many}\n1\n`, [true, true])).toMatchObject({ error: /fields/ });
    const limits = { ...DEFAULT_LIMITS, maxRows: 4000 };
    expect(expectSame(`${head}${many}\n`, [true, true], limits)).toMatchObject({ error: /rows/ });
    const long = { ...DEFAULT_LIMITS, maxCellLength: 30 };
    expect(expectSame(`${head}${many}\n1,${"7".repeat(40)}\n`, [true, false], long)).toMatchObject({
      error: /characters/,
    });
  });
});
