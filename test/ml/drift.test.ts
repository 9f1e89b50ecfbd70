/**
 * The training profile a model keeps, and drift against it: the training data itself shows none; a feature
 * moved by 3 SD and a category the model never saw are found (PSI, KS, range, unseen) and their rows flagged;
 * a model without a profile (trained before it existed) gets no check.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { kolmogorovUpper } from "../../src/ml/drift/index.js";
import {
  checkDrift,
  deserializeModel,
  outsideTrainingDomain,
  serializeModel,
  trainModel,
} from "../../src/ml/index.js";
import type { Frame, ModelDocument, ModelMetadata, NumericColumn } from "../../src/ml/types.js";
import { csvFrame, loadFixture } from "./helpers/fixtures.js";

const diabetesModel = async () =>
  trainModel(await loadFixture("diabetes"), {
    modelType: "linear",
    task: "regression",
    target: "progression",
    features: [],
  }).model;

/** A copy of the frame with one numeric column changed at the given rows. */
function shifted(frame: Frame, name: string, rows: number[], by: number): Frame {
  const columns = frame.columns.map((c) => {
    if (c.name !== name || !("values" in c)) return c;
    const values = Float64Array.from(c.values);
    for (const i of rows) values[i] += by;
    return { ...c, values } as NumericColumn;
  });
  return { nRows: frame.nRows, columns };
}

describe("training profile", () => {
  it("describes every feature over the training rows and survives the signed artifact", async () => {
    const model = await diabetesModel();
    const profile = model.trainingProfile!;
    expect(profile.rows).toBe(353);
    expect(profile.features.map((f) => f.name)).toEqual(model.features.map((f) => f.name));
    const bmi = profile.features.find((f) => f.name === "bmi")!;
    if (bmi.kind !== "numeric") throw new Error("bmi is numeric");
    expect(bmi.cuts.length).toBeGreaterThan(50);
    expect([...bmi.cuts].sort((a, b) => a - b)).toEqual(bmi.cuts);
    expect(bmi.cdf.at(-1)).toBe(1);
    expect(bmi.min).toBe(bmi.cuts[0]);
    const metadata = { modelId: "m" } as ModelMetadata;
    const files = serializeModel(model, metadata, "k".repeat(32));
    expect(deserializeModel(files, "k".repeat(32)).model.trainingProfile).toEqual(profile);
  });
});

describe("checkDrift", () => {
  it("finds nothing when predicting on the training data itself", async () => {
    const frame = await loadFixture("diabetes");
    const report = checkDrift(await diabetesModel(), frame)!;
    expect(report.checked).toBe(10);
    expect(report.drifting).toEqual([]);
    // Only the held-out rows (20%) can lie beyond the training range, and few of them do.
    const flags = outsideTrainingDomain(await diabetesModel(), frame)!;
    expect(flags.reduce((s, f) => s + f, 0) / frame.nRows).toBeLessThan(0.03);
  });

  it("names a feature moved by 3 SD: PSI, KS and the share outside the training range", async () => {
    const frame = await loadFixture("diabetes");
    const bmi = frame.columns.find((c) => c.name === "bmi") as NumericColumn;
    const sd = Math.sqrt(bmi.values.reduce((s, v) => s + v * v, 0) / bmi.values.length);
    const all = Array.from({ length: frame.nRows }, (_, i) => i);
    const report = checkDrift(await diabetesModel(), shifted(frame, "bmi", all, 3 * sd))!;
    expect(report.drifting.map((d) => d.feature)).toEqual(["bmi"]);
    const d = report.drifting[0];
    expect(d.reasons).toEqual(["psi", "ks", "range"]);
    expect(d.psi).toBeGreaterThan(1);
    expect(d.ks!.pValue).toBeLessThan(1e-10);
    expect(d.outside!.share).toBeGreaterThan(0.5);
    expect(d.median!.now).toBeGreaterThan(d.median!.training);
  });

  it("flags unseen categories and exactly the rows outside the training domain", async () => {
    const lines = readFileSync(join(import.meta.dirname, "../fixtures/penguins.csv"), "utf8")
      .trim()
      .split("\n");
    const train = await csvFrame(lines.join("\n"));
    const model = trainModel(train, {
      modelType: "decision_tree",
      task: "classification",
      target: "Species",
      features: [],
    }).model;
    const changed = [3, 10, 200];
    const renamed = lines.map((line, i) =>
      changed.includes(i - 1) ? line.replace(/^([^,]*),[^,]*/, "$1,Atlantis") : line,
    );
    const frame = await csvFrame(renamed.join("\n"));
    const report = checkDrift(model, frame)!;
    const island = report.drifting.find((d) => d.feature === "Island")!;
    expect(island.reasons).toContain("unseen");
    expect(island.unseen).toEqual({ share: 3 / 344, count: 1, examples: ["Atlantis"] });
    const flags = outsideTrainingDomain(model, frame)!;
    const flagged = Array.from(flags.keys()).filter((i) => flags[i] === 1);
    // Rows already outside (training used 80% of them: the other 20% can lie beyond its range) are fine too,
    // but every renamed row must be flagged, and the same data unchanged flags no more than those extremes.
    for (const i of changed) expect(flagged).toContain(i);
    const baseline = outsideTrainingDomain(model, train)!;
    expect(flagged.filter((i) => !changed.includes(i))).toEqual(
      Array.from(baseline.keys()).filter((i) => baseline[i] === 1),
    );
  });

  it("skips models trained before profiles existed", async () => {
    const model: ModelDocument = { ...(await diabetesModel()) };
    delete model.trainingProfile;
    expect(checkDrift(model, await loadFixture("diabetes"))).toBeUndefined();
    expect(outsideTrainingDomain(model, await loadFixture("diabetes"))).toBeUndefined();
  });

  it("uses the Kolmogorov distribution for the KS p-value (SciPy's special.kolmogorov)", () => {
    const ref = JSON.parse(
      readFileSync(join(import.meta.dirname, "../fixtures/stats/scipy_reference.json"), "utf8"),
    );
    for (const { lambda, q } of ref.kolmogorov) expect(kolmogorovUpper(lambda)).toBeCloseTo(q, 10);
  });
});
