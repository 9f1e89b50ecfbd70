/**
 * The chat experience end to end: every screen of training and prediction, driven by simulated users over
 * HTTP against the real bot (Redis state, local storage, local worker processes).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { startApp, type TestEnv, testEnv } from "../helpers/app.js";
import {
  csvColumn,
  enginePredictions,
  FAST_BOT_ENV,
  FAST_TELEGRAM,
  fixture,
  modelIdIn,
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
  env = testEnv(tg, "flows", { MAX_UPLOAD_MB: "1", ADMIN_USER_IDS: "2099", ...FAST_BOT_ENV });
  app = await startApp(env);
});

afterAll(async () => {
  await app?.stop();
  await tg?.close();
  await env?.cleanup();
});

describe("training and prediction for each kind of task", () => {
  it("binary: logistic regression on breast_cancer; the predictions are the engine's own", async () => {
    const user = tg.user(2001, { firstName: "Bea" });
    const result = await trainThroughChat(user, {
      file: "breast_cancer.csv",
      expect: { target: "diagnosis", task: "classification" },
      category: /Linear models/,
      model: /^Logistic regression/,
      params: [/^C=10$/],
    });
    expect(Number(/Accuracy ([\d.]+)%/.exec(result)?.[1])).toBeGreaterThanOrEqual(93);
    expect(result).toMatch(/ROC-AUC/);
    expect(result).toMatch(/Classes: benign \d+% · malignant \d+%/);

    const input = withoutColumn(fixture("breast_cancer.csv"), "diagnosis");
    const csv = await predictThroughChat(user, "new_cases.csv", input);
    const predicted = csvColumn(csv, "diagnosis_predicted");
    expect(predicted).toHaveLength(569);
    const engine = await enginePredictions(env.dataDir, 2001, modelIdIn(result), input);
    expect(predicted).toEqual(engine.map(String));
    expect(new Set(predicted)).toEqual(new Set(["benign", "malignant"]));
  });

  it("multiclass: random forest on penguins, with its missing values and categoricals", async () => {
    const user = tg.user(2002, { firstName: "Pia" });
    const result = await trainThroughChat(user, {
      file: "penguins.csv",
      expect: { target: "Species", task: "classification" },
      category: /Trees/,
      model: /^Random forest/,
      params: [/^nEstimators=50$/],
    });
    expect(Number(/Accuracy ([\d.]+)%/.exec(result)?.[1])).toBeGreaterThanOrEqual(93);
    const input = withoutColumn(fixture("penguins.csv"), "Species");
    const csv = await predictThroughChat(user, "penguins_new.csv", input);
    const predicted = csvColumn(csv, "Species_predicted");
    expect(predicted).toHaveLength(344);
    const engine = await enginePredictions(env.dataDir, 2002, modelIdIn(result), input);
    expect(predicted).toEqual(engine.map(String));
  });

  it("regression with a custom hyperparameter: an invalid value is refused, a valid one is used", async () => {
    const user = tg.user(2003, { firstName: "Rui" });
    await user.send("/train");
    await user.waitFor(/Send me your data/);
    await user.upload("diabetes.csv", fixture("diabetes.csv"));
    await user.waitFor(/Target: progression → regression/);
    await user.click(/Accept/);
    await user.waitFor(/What kind of model/);
    await user.click(/Linear models/);
    await user.waitFor(/Pick a model/);
    await user.click(/^Ridge regression/);
    await user.waitFor(/Ridge regression.*settings/s);
    await user.click(/Custom/);
    await user.waitFor(/Type a value for alpha/);
    await user.send("lots");
    await user.waitFor(/'alpha' parameter of Ridge\w* must be/);
    await user.send("-1");
    await user.waitFor(/'alpha' parameter of Ridge\w* must be/);
    await user.send("0.5");
    const screen = await user.waitFor(/alpha = 0\.5/);
    expect(screen.text).not.toMatch(/must be/);
    await user.click(/Continue/);
    const result = await user.waitFor(/is trained/, SLOW);
    const modelJson = JSON.parse(
      readFileSync(
        join(env.dataDir, "models", "user_2003", modelIdIn(result.text ?? ""), "model.json"),
        "utf8",
      ),
    );
    expect(modelJson.hyperparameters.alpha).toBe(0.5);
  });
});

describe("auto mode", () => {
  it("tries the candidates within the time budget and shows the leaderboard", async () => {
    const user = tg.user(2012, { firstName: "Auto" });
    await user.send("/train");
    await user.upload("iris.csv", fixture("iris.csv"));
    await user.waitFor(/Target: species → classification/);
    await user.click(/Accept/);
    await user.waitFor(/What kind of model/);
    await user.click(/Auto \(best model\)/);
    await user.waitFor(/Pick a model/);
    await user.click(/Auto \(best model\)/);
    await user.waitFor(/settings/);
    await user.click(/Custom/);
    await user.waitFor(/Type a value for timeBudgetMinutes/);
    await user.send("0.25");
    await user.waitFor(/timeBudgetMinutes = 0\.25/);
    await user.click(/Continue/);
    const result = await user.waitFor(/is trained/, SLOW);
    expect(result.text).toMatch(/Cross-validated leaderboard \(\d+ candidates\)/);
    expect(result.text).toMatch(/🏆 .+ — \d+(\.\d+)?% ± /);
    expect(Number(/Accuracy ([\d.]+)%/.exec(result.text ?? "")?.[1])).toBeGreaterThanOrEqual(90);
    // The model card in /models names what won (one candidate, or an ensemble of several).
    const winner = /🏆 (.+) — /.exec(result.text ?? "")?.[1] as string;
    await user.send("/models");
    await user.waitFor(/Your models/);
    await user.click(/^1$/);
    const card = await user.waitFor(/Target: species/);
    expect(card.text).toContain(`Auto (best model): ${winner}`);
  });
});

describe("navigation", () => {
  it("goes back one step at a time and clears what later steps chose", async () => {
    const user = tg.user(2004, { firstName: "Ben" });
    await user.send("/train");
    await user.waitFor(/Send me your data/);
    await user.upload("iris.csv", fixture("iris.csv"));
    await user.waitFor(/Target: species/);
    await user.click(/Accept/);
    await user.waitFor(/What kind of model/);
    await user.click(/Trees/);
    await user.waitFor(/Pick a model/);
    await user.click(/^Decision tree/);
    await user.waitFor(/Decision tree.*settings/s);
    await user.click(/Back/);
    await user.waitFor(/Pick a model for classification/);
    await user.click(/Back/);
    await user.waitFor(/What kind of model/);
    await user.click(/Back/);
    await user.waitFor(/Target: species/);
    await user.click(/Back/);
    await user.waitFor(/Send me your data/);
    const state = await app.manager.getState(2004, 2004);
    expect(state?.state).toBe("CHOOSING_DATA_SOURCE");
    expect(state?.data.modelType).toBeUndefined();
    expect(state?.data.category).toBeUndefined();
    expect(state?.data.dataset).toBeUndefined();
  });

  it("cancels from any screen, and a stale button afterwards says so", async () => {
    const user = tg.user(2005, { firstName: "Cy" });
    await user.send("/train");
    await user.waitFor(/Send me your data/);
    await user.upload("iris.csv", fixture("iris.csv"));
    await user.waitFor(/Target: species/);
    await user.click(/Accept/);
    const menu = await user.waitFor(/What kind of model/);
    await user.click(/Cancel/);
    await user.waitFor(/Cancelled/);
    expect((await app.manager.getState(2005, 2005))?.state).toBe("CANCELLED");
    // The menu lost its buttons; a press that raced the edit is answered as out of date.
    const press = tg.server.pressButton.bind(tg.server);
    expect(() => press(user.id, menu.message_id, "whatever|cat|linear")).toThrow(/no button/);
    await user.send("/cancel");
    await user.waitFor(/nothing to cancel/);
  });

  it("says a menu of a replaced workflow is out of date", async () => {
    const user = tg.user(2011, { firstName: "Ike" });
    await user.send("/train");
    await user.upload("iris.csv", fixture("iris.csv"));
    const card = await user.waitFor(/Target: species/);
    const accept = card.reply_markup!.inline_keyboard.flat().find((b) => /Accept/.test(b.text))!;
    // A new /train and a press on the old card race: the press arrives after the workflow was replaced.
    await user.send("/predict");
    const query = tg.server.pressButton(user.id, card.message_id, accept.callback_data!);
    const answer = await user.waitForAnswer(query);
    expect(answer.text).toMatch(/out of date/);
    expect(answer.showAlert).toBe(true);
    expect((await app.manager.getState(2011, 2011))?.workflowType).toBe("prediction");
  });

  it("answers text where a button is expected with a hint, and stays on the step", async () => {
    const user = tg.user(2006, { firstName: "Dee" });
    await user.send("/train");
    await user.upload("iris.csv", fixture("iris.csv"));
    await user.waitFor(/Target: species/);
    await user.send("train it please");
    await user.waitFor(/use the buttons/i);
    expect((await app.manager.getState(2006, 2006))?.state).toBe("CONFIRMING_SCHEMA");
  });
});

describe("pickers with many columns", () => {
  const wide = (() => {
    const header = [...Array.from({ length: 199 }, (_, i) => `col_${i + 1}`), "outcome"];
    const rows = Array.from({ length: 60 }, (_, r) =>
      [...Array.from({ length: 199 }, (_, c) => ((r * 7 + c * 13) % 97) / 10), r % 2 ? "yes" : "no"].join(
        ",",
      ),
    );
    return `${header.join(",")}\n${rows.join("\n")}\n`;
  })();

  it("pages through 200 columns, picks a target by number and features by typed ranges", async () => {
    const user = tg.user(2007, { firstName: "Eve" });
    await user.send("/train");
    await user.upload("wide.csv", wide);
    await user.waitFor(/60 rows × 200 columns/);
    await user.click(/Change target/);
    const picker = await user.waitFor(/Which column should the model predict/);
    expect(picker.reply_markup?.inline_keyboard.flat().some((b) => /page 1\/17/.test(b.text))).toBe(true);
    await user.click(/▶️/);
    await user.waitFor((m) =>
      Boolean(m.reply_markup?.inline_keyboard.flat().some((b) => /page 2\/17/.test(b.text))),
    );
    await user.send("150");
    await user.waitFor(/Target: col_150 → regression/);
    await user.click(/Choose features/);
    await user.waitFor(/Features: \d+ of 199/);
    await user.click(/^None$/);
    await user.waitFor(/Features: 0 of 199/);
    await user.send("1-5, col_10, col_150, nope");
    await user.waitFor(/No such column: nope/);
    await user.send("1-5, col_10, col_150");
    await user.waitFor(/Features: 6 of 199/);
    await user.click(/Done/);
    const card = await user.waitFor(/Target: col_150/);
    expect(card.text).toMatch(/Features \(6\): col_1, col_2, col_3, col_4, col_5, col_10/);
    const state = await app.manager.getState(2007, 2007);
    expect(state?.data.features).toEqual(["col_1", "col_2", "col_3", "col_4", "col_5", "col_10"]);
  });
});

describe("models and templates", () => {
  it("saves a template, reuses it, renames the model and deletes it", async () => {
    const user = tg.user(2008, { firstName: "Fay" });
    const result = await trainThroughChat(user, {
      file: "diabetes.csv",
      expect: { target: "progression", task: "regression" },
      category: /Linear models/,
      model: /^Linear regression/,
    });
    const modelId = modelIdIn(result);
    await user.click(/Save as template/);
    await user.waitFor(/Type a name for this template/);
    await user.send("diabetes linear");
    await user.waitFor(/Template diabetes linear saved/);

    await user.send("/templates");
    await user.waitFor(/diabetes linear — training/);
    await user.click(/▶️ 1/);
    await user.waitFor(/Template diabetes linear is ready/);
    await user.upload("diabetes.csv", fixture("diabetes.csv"));
    await user.waitFor(/Target: progression/);
    await user.click(/Accept/);
    // The template chose the model: straight to training.
    const second = await user.waitFor(/is trained/, SLOW);
    expect(second.text).toMatch(/Linear regression/);

    await user.send("/models");
    await user.waitFor(/Your models \(2\)/);
    const list = user.lastBotMessage()!;
    const open = list.reply_markup!.inline_keyboard.flat().find((b) => b.callback_data?.endsWith(modelId));
    expect(open).toBeDefined();
    await user.click(open!.text);
    await user.waitFor(/Target: progression/);
    await user.click(/Rename/);
    await user.waitFor(/Type a new name/);
    await user.send("x");
    await user.waitFor(/A name has 3–40/);
    await user.send("Diabetes baseline");
    await user.waitFor(/Renamed to Diabetes baseline/);
    await user.send("/models");
    await user.waitFor(/Diabetes baseline/);

    await user.click(open!.text);
    await user.waitFor(/Diabetes baseline/);
    await user.click(/Delete/);
    await user.waitFor(/Delete Diabetes baseline\?/);
    await user.click(/Yes, delete/);
    await user.waitFor(/was deleted/);
    await user.send("/models");
    await user.waitFor(/Your models \(1\)/);
  });

  it("refuses data with the wrong schema at prediction and says what is missing", async () => {
    const user = tg.user(2009, { firstName: "Gus" });
    await trainThroughChat(user, {
      file: "diabetes.csv",
      expect: { target: "progression", task: "regression" },
      category: /Linear models/,
      model: /^Linear regression/,
    });
    await user.send("/predict");
    await user.waitFor(/rows to predict/);
    await user.upload("iris.csv", fixture("iris.csv"));
    const card = await user.waitFor(/Not usable with this data/);
    expect(card.text).toMatch(/missing age, sex, bmi, bp \+6/);
    expect(card.reply_markup?.inline_keyboard.flat().some((b) => /Continue/.test(b.text))).toBe(false);
  });

  it("refuses a file over the size limit with the options", async () => {
    const user = tg.user(2010, { firstName: "Hal" });
    await user.send("/train");
    await user.waitFor(/Send me your data/);
    await user.upload("big.csv", `a,b\n${"1,2\n".repeat(300_000)}`);
    await user.waitFor(/larger than 1 MB, the most I can take/);
    expect((await app.manager.getState(2010, 2010))?.state).toBe("CHOOSING_DATA_SOURCE");
  });
});

describe("admin", () => {
  it("shows admins the running jobs and the month's spend, and nobody else", async () => {
    const admin = tg.user(2099, { firstName: "Ada" });
    await admin.send("/admin");
    const card = await admin.waitFor(/Admin/);
    expect(card.text).toMatch(/Active workflows: \d+; jobs running: \d+/);
    expect(card.text).toMatch(/Spend this month \(all users\): \$0/);
    const other = tg.user(2098, { firstName: "Bob" });
    await other.send("/admin");
    const reply = await other.waitFor(/./);
    expect(reply.text).not.toMatch(/Admin/);
  });

  it("runs the doctor for admins: /admin doctor answers with its table", async () => {
    const admin = tg.user(2099, { firstName: "Ada" });
    await admin.send("/admin doctor");
    const table = await admin.waitFor(/MODEL_SIGNING_KEY/);
    expect(table.text).toMatch(/✓ Bot: MODEL_SIGNING_KEY +set/);
    expect(table.text).toMatch(/- AWS: account +not configured/);
    expect(table.text).toMatch(/All set/);
    const other = tg.user(2097, { firstName: "Eve" });
    await other.send("/admin doctor");
    expect((await other.waitFor(/./)).text).not.toMatch(/MODEL_SIGNING_KEY/);
  });
});
