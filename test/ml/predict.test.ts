/** predictFrame's schema check: by name (case/whitespace-insensitive) and by type; extras ignored. */
import { describe, expect, it } from "vitest";
import { SchemaMismatchError } from "../../src/errors.js";
import { predictFrame, trainModel, writeCsv } from "../../src/ml/index.js";
import { csvFrame, loadFixture } from "./helpers/fixtures.js";

async function penguinModel() {
  const frame = await loadFixture("penguins");
  return trainModel(frame, { modelType: "logistic", task: "classification", target: "Species", features: [] })
    .model;
}

describe("predictFrame: schema validation", () => {
  it("matches columns that differ in case or whitespace, reports the match, ignores extras", async () => {
    const model = await penguinModel();
    const csv =
      "island, beak length (mm),Beak Depth (mm),FLIPPER LENGTH (MM),Body Mass (g),sex,note\n" +
      "Biscoe,46.1,13.2,211,4500,FEMALE,hello\nDream,39.5,17.4,186,3800,MALE,x\n";
    const p = predictFrame(model, await csvFrame(csv));
    expect(p.predictions).toEqual(["Gentoo", "Adelie"]);
    expect(p.schema.renamed).toContainEqual(["island", "Island"]);
    expect(p.schema.renamed).toContainEqual([" beak length (mm)", "Beak Length (mm)"]);
    expect(p.schema.ignored).toEqual(["note"]);
  });

  it("names every missing column in a SchemaMismatchError", async () => {
    const model = await penguinModel();
    const f = await csvFrame("Island,Sex\nBiscoe,MALE\n");
    expect(() => predictFrame(model, f)).toThrow(SchemaMismatchError);
    expect(() => predictFrame(model, f)).toThrow(
      /"Beak Length \(mm\)", "Beak Depth \(mm\)", "Flipper Length \(mm\)"/,
    );
  });

  it("names a column whose type changed (text where a number is expected)", async () => {
    const model = await penguinModel();
    const f = await csvFrame(
      "Island,Beak Length (mm),Beak Depth (mm),Flipper Length (mm),Body Mass (g),Sex\nBiscoe,long,13.2,211,4500,MALE\n",
    );
    expect(() => predictFrame(model, f)).toThrow(
      /"Beak Length \(mm\)" should be numeric but contains text such as "long"/,
    );
  });

  it("never crashes on an unseen category or on missing values", async () => {
    const model = await penguinModel();
    const f = await csvFrame(
      "Island,Beak Length (mm),Beak Depth (mm),Flipper Length (mm),Body Mass (g),Sex\nAtlantis,,,,,\nDream,40,18,190,NA,UNKNOWN\n",
    );
    const p = predictFrame(model, f, { probabilities: true });
    expect(p.predictions).toHaveLength(2);
    expect(p.probabilities?.every((row) => row.every(Number.isFinite))).toBe(true);
  });

  it("accepts numbers for a feature trained as text (codes read as integers)", async () => {
    const rows = Array.from(
      { length: 40 },
      (_, i) => `${i % 4 === 0 ? "A1" : String((i % 3) + 1)},${i},${i * 2 + (i % 3)}`,
    );
    const train = await csvFrame(["code,x,y", ...rows].join("\n"));
    const r = trainModel(train, {
      modelType: "linear",
      task: "regression",
      target: "y",
      features: ["code", "x"],
    });
    const p = predictFrame(r.model, await csvFrame("code,x\n2,10\n3,11\n"));
    expect(p.predictions).toHaveLength(2);
  });
});

describe("writeCsv", () => {
  it("writes every input row and column plus the predictions, quoting where needed", async () => {
    const f = await csvFrame('name,score,when\n"Smith, J",1.5,2024-01-02\nLee,NA,\n');
    const bytes = writeCsv(f, [{ name: "prediction", values: ['a "b"', "c"] }]);
    expect(new TextDecoder().decode(bytes)).toBe(
      'name,score,when,prediction\r\n"Smith, J",1.5,2024-01-02,"a ""b"""\r\nLee,,,c\r\n',
    );
  });

  it("round-trips through readTable", async () => {
    const f = await loadFixture("penguins");
    const again = await csvFrame(new TextDecoder().decode(writeCsv(f)));
    expect(again.nRows).toBe(f.nRows);
    expect(again.columns.map((c) => [c.name, c.type])).toEqual(f.columns.map((c) => [c.name, c.type]));
  });
});
