/**
 * The target guess on a table of datasets whose target is known: the five shared ones and small hand-designed
 * ones in test/fixtures/targets (make_targets.py), seven of them written after the rules were fixed (held
 * out). Top-1 accuracy must be at least 90%; the README reports it and the misses.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readTable, suggestSchema } from "../../src/ml/index.js";
import { isOutcomeName, nameWords } from "../../src/ml/schema.js";
import { csvFrame } from "./helpers/fixtures.js";

const FIXTURES = join(import.meta.dirname, "../fixtures");
const TABLE: Array<{ file: string; target: string; heldOut?: boolean }> = [
  { file: "diabetes.csv", target: "progression" },
  { file: "breast_cancer.csv", target: "diagnosis" },
  { file: "wine.csv", target: "cultivar" },
  { file: "iris.csv", target: "species" },
  { file: "penguins.csv", target: "Species" },
  ...JSON.parse(readFileSync(join(FIXTURES, "targets/targets.json"), "utf8")),
];

describe("target guess", () => {
  it("finds the known target in at least 90% of the datasets", async () => {
    expect(TABLE.length).toBeGreaterThanOrEqual(25);
    const misses: string[] = [];
    for (const { file, target } of TABLE) {
      const frame = await readTable(readFileSync(join(FIXTURES, file)), { fileName: file });
      const guess = suggestSchema(frame).target;
      if (guess !== target) misses.push(`${file}: guessed ${guess}, known ${target}`);
    }
    const accuracy = 1 - misses.length / TABLE.length;
    expect(accuracy, misses.join("\n")).toBeGreaterThanOrEqual(0.9);
    // Today: 38 of 40; both misses are held out (forest_fires' coordinate column "Y", parkinsons' target
    // in the middle of the table). A change of the rules that loses or wins one shows here.
    expect(misses).toEqual([
      "targets/forest_fires.csv: guessed Y, known area",
      "targets/parkinsons.csv: guessed PPE, known total_UPDRS",
    ]);
  });

  it("leaves free and near-unique text out of the features and says why (the classic cars table)", async () => {
    const frame = await readTable(readFileSync(join(FIXTURES, "targets/cars.csv")), { fileName: "cars.csv" });
    const s = suggestSchema(frame);
    expect(s.target).toBe("Miles_per_Gallon");
    expect(s.task).toBe("regression");
    expect(s.features).not.toContain("Name");
    expect(s.features).toContain("Origin");
    const name = s.excluded?.find((e) => e.column === "Name");
    expect(name).toMatchObject({ reason: "nearUnique", rows: 60 });
    expect(name!.distinct).toBeGreaterThan(30);
    const reviews = suggestSchema(
      await readTable(readFileSync(join(FIXTURES, "targets/product_reviews.csv")), { fileName: "r.csv" }),
    );
    expect(reviews.excluded?.map((e) => [e.column, e.reason])).toEqual([
      ["review_id", "identifier"],
      ["review_text", "freeText"],
    ]);
  });

  it("reads names word by word, in English and Portuguese, accents and case aside", async () => {
    expect(nameWords("MonthlySpend")).toEqual(["monthly", "spend"]);
    expect(nameWords("Preço_Médio (R$)")).toEqual(["preco", "medio", "r"]);
    expect(isOutcomeName("Preço")).toBe(true);
    expect(isOutcomeName("Miles_per_Gallon")).toBe(true);
    expect(isOutcomeName("priceless_items")).toBe(false);
    const f = await csvFrame(
      [
        "região,idade,valor_da_venda,loja",
        ...Array.from({ length: 30 }, (_, i) => `n${i % 3},${20 + i},${i * 3.7},L${i % 4}`),
      ].join("\n"),
    );
    expect(suggestSchema(f).target).toBe("valor_da_venda");
  });
});
