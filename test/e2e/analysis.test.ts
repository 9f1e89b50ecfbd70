/**
 * Issue 14 end to end. Drift at /predict: predicting on the training data itself shows no warning; data with a
 * feature moved by 3 SD and a new category gets a warning naming both, and "Predict anyway" still returns the
 * file, with a column flagging the rows outside the training domain. The schema card: the obvious target, free
 * text left out with the reason, and the old target back among the features when the target changes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { startApp, type TestEnv, testEnv } from "../helpers/app.js";
import {
  csvColumn,
  FAST_BOT_ENV,
  FAST_TELEGRAM,
  fixture,
  predictThroughChat,
  SLOW,
  trainThroughChat,
  withoutColumn,
} from "../helpers/flows.js";
import { type FakeTelegram, startFakeTelegram } from "../helpers/telegram.js";

let tg: FakeTelegram;
let env: TestEnv;
let app: App;

beforeAll(async () => {
  tg = await startFakeTelegram(FAST_TELEGRAM);
  env = testEnv(tg, "analysis", FAST_BOT_ENV);
  app = await startApp(env);
});

afterAll(async () => {
  await app?.stop();
  await tg?.close();
  await env?.cleanup();
});

/** Penguins without the target, body mass moved by `massShift` grams and some rows on a new island. */
function shiftedPenguins(massShift: number, newIslandRows: number[]): string {
  const lines = withoutColumn(fixture("penguins.csv"), "Species").trim().split("\n");
  const header = lines[0].split(",");
  const mass = header.indexOf("Body Mass (g)");
  const island = header.indexOf("Island");
  const rows = lines.slice(1).map((line, i) => {
    const cells = line.split(",");
    if (cells[mass] !== "") cells[mass] = String(Number(cells[mass]) + massShift);
    if (newIslandRows.includes(i)) cells[island] = "Atlantis";
    return cells.join(",");
  });
  return `${[lines[0], ...rows].join("\n")}\n`;
}

describe("drift at /predict", () => {
  it("says nothing on the training data, warns on shifted data, and flags its rows", async () => {
    const user = tg.user(4001, { firstName: "Dora" });
    await trainThroughChat(user, {
      file: "penguins.csv",
      expect: { target: "Species", task: "classification" },
      category: /Trees/,
      model: /^Decision tree/,
    });

    const same = await predictThroughChat(
      user,
      "same.csv",
      withoutColumn(fixture("penguins.csv"), "Species"),
    );
    expect(user.botMessages().some((m) => /does not look like the data/.test(m.text ?? ""))).toBe(false);
    const sameFlags = csvColumn(same, "outside_training_domain");
    expect(sameFlags).toHaveLength(344);
    expect(sameFlags.filter((f) => f === "true").length).toBeLessThan(344 * 0.05);

    // +3 SD of body mass (801 g) and a new island in 10 rows.
    const atlantis = [0, 5, 50, 100, 150, 200, 250, 300, 320, 343];
    await user.send("/predict");
    await user.waitFor(/Send the file with the rows to predict/);
    await user.upload("shifted.csv", shiftedPenguins(2404, atlantis));
    await user.waitFor(/Models that fit this data/);
    await user.click(/Continue/);
    await user.waitFor(/new column/);
    await user.click(/Use this name/);
    await user.waitFor(/Ready to run/);
    await user.click(/Run/);
    const warning = await user.waitFor(/does not look like the data the model was trained on/, SLOW);
    expect(warning.text).toMatch(
      /• Body Mass \(g\): \d+% of the values lie outside the training range \(2700 to 6300\); its distribution moved \(median \d+ in training, \d+ now\) \(PSI [\d.]+ · KS p < 0\.001\)/,
    );
    expect(warning.text).toMatch(/• Island: 1 value the model never saw \(Atlantis\), in 3% of the rows/);
    expect(warning.text).toMatch(/Predict anyway\?/);
    expect((await app.manager.getState(4001, 4001))?.state).toBe("DRIFT_WARNING");

    await user.click(/Predict anyway/);
    const result = await user.waitFor(/✅ 344 predictions/, SLOW);
    expect(result.text).toMatch(/rows are outside the training domain/);
    await user.waitFor((m) => Boolean(m.document?.file_name?.startsWith("shifted")), SLOW);
    const flags = csvColumn(user.documents().at(-1)!.bytes.toString("utf8"), "outside_training_domain");
    for (const i of atlantis) expect(flags[i]).toBe("true");
    expect(flags.filter((f) => f === "true").length).toBeGreaterThan(100);
  });
});

describe("the schema card", () => {
  it("suggests mpg for the cars table, leaves the car names out with the reason, and gives Origin back", async () => {
    const user = tg.user(4002, { firstName: "Carl" });
    await user.send("/train");
    await user.waitFor(/Send me your data/);
    await user.upload("cars.csv", fixture("targets/cars.csv"));
    const card = await user.waitFor(/Target: Miles_per_Gallon → regression/);
    expect(card.text).toMatch(
      /Features \(7\): Cylinders, Displacement, Horsepower, Weight_in_lbs, Acceleration, Year, Origin/,
    );
    expect(card.text).toMatch(/Not used: Name \(near-unique text: \d+ distinct values in 60 rows\)/);
    await user.click(/Change target/);
    await user.waitFor(/Which column should the model predict/);
    await user.click(/9\. Origin/);
    const changed = await user.waitFor(/Target: Origin → classification/);
    expect(changed.text).toMatch(/Features \(7\): Miles_per_Gallon, Cylinders/);
  });
});
