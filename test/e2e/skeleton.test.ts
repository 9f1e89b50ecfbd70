import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { killBot, spawnBot, startApp, type TestEnv, testEnv } from "../helpers/app.js";
import { fixture, withoutColumn } from "../helpers/flows.js";
import { type FakeTelegram, startFakeTelegram, type TestUser } from "../helpers/telegram.js";

const TRAINING_TIMEOUT = { timeoutMs: 60_000 };

async function trainLinearOnDiabetes(user: TestUser): Promise<string> {
  await user.send("/train");
  await user.waitFor(/Send me your data/);
  await user.upload("diabetes.csv", fixture("diabetes.csv"), { mimeType: "text/csv" });
  const card = await user.waitFor(/Target: progression → regression/);
  expect(card.text).toContain("442 rows × 11 columns");
  await user.click(/Accept/);
  await user.waitFor(/What kind of model for regression/);
  await user.click(/Linear models/);
  await user.waitFor(/Pick a model for regression/);
  await user.click(/^Linear regression/);
  const result = await user.waitFor(/is trained/, TRAINING_TIMEOUT);
  return result.text ?? "";
}

describe("walking skeleton: train and predict through every layer", () => {
  let tg: FakeTelegram;
  let env: TestEnv;
  let app: App;

  beforeAll(async () => {
    tg = await startFakeTelegram();
    env = testEnv(tg, "skeleton");
    app = await startApp(env);
  });

  afterAll(async () => {
    await app?.stop();
    await tg?.close();
    await env?.cleanup();
  });

  it("trains linear regression on diabetes.csv and returns predictions for every row", async () => {
    const alice = tg.user(1001, { firstName: "Alice", languageCode: "en" });
    await alice.send("/start");
    await alice.waitFor(/Statistical Modeling Agent/);

    const resultText = await trainLinearOnDiabetes(alice);
    const r2 = Number(/R² (-?[\d.]+)/.exec(resultText)?.[1]);
    expect(r2).toBeGreaterThanOrEqual(0.35);
    expect(resultText).toMatch(/RMSE [\d.]+/);
    expect(resultText).toMatch(/MAE [\d.]+/);
    // Charts come as photos: importance, predicted vs actual, residuals.
    await alice.waitFor((m) => Boolean(m.photo));
    const photos = alice.botMessages().filter((m) => m.photo);
    expect(photos.length).toBeGreaterThanOrEqual(2);
    expect(photos.map((m) => m.caption).join(" ")).toMatch(/importance/i);
    // One progress message, edited in place to its final state.
    const progress = alice.botMessages().filter((m) => /Training/.test(m.text ?? ""));
    expect(progress).toHaveLength(1);
    expect(progress[0].text).toMatch(/Finished in/);

    await alice.send("/predict");
    await alice.waitFor(/Send the file with the rows to predict/);
    const upload = await alice.upload(
      "new_patients.csv",
      withoutColumn(fixture("diabetes.csv"), "progression"),
    );
    const fits = await alice.waitFor(/Models that fit this data/);
    expect(fits.text).toMatch(/Linear regression/);
    await alice.click(/Continue/);
    await alice.waitFor(/new column progression_predicted/);
    await alice.click(/Use this name/);
    await alice.waitFor(/Ready to run/);
    await alice.click(/Run/);
    const card = await alice.waitFor(/442 predictions/, TRAINING_TIMEOUT);
    expect(card.text).toMatch(/mean [\d.]+/);
    const doc = await alice.waitFor((m) => Boolean(m.document), TRAINING_TIMEOUT);
    expect(doc.reply_to_message?.message_id).toBe(upload.message_id);
    const [file] = alice.documents();
    const lines = file.bytes.toString("utf8").trim().split(/\r?\n/);
    expect(lines).toHaveLength(443);
    expect(lines[0].split(",")).toEqual([
      "age",
      "sex",
      "bmi",
      "bp",
      "s1",
      "s2",
      "s3",
      "s4",
      "s5",
      "s6",
      "progression_predicted",
      // The model keeps a training profile: rows outside its training domain are flagged.
      "outside_training_domain",
    ]);
    const predictions = lines.slice(1).map((line) => Number(line.split(",").at(-2)));
    expect(predictions.every(Number.isFinite)).toBe(true);
    // Linear predictions on diabetes spread roughly between 25 and 320 with a mean near 152.
    const mean = predictions.reduce((s, v) => s + v, 0) / predictions.length;
    expect(mean).toBeGreaterThan(120);
    expect(mean).toBeLessThan(185);
  });

  it("answers bad files with a clear message and keeps the workflow usable", async () => {
    const bob = tg.user(1002, { firstName: "Bob", languageCode: "en" });
    await bob.send("/train");
    await bob.waitFor(/Send me your data/);

    const png = Buffer.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 1, 0,
    ]);
    await bob.upload("chart.csv", png);
    const binary = await bob.waitFor(/binary file.*code 6001/s);
    expect(binary.text).toMatch(/Send another file/);

    await bob.upload("empty.csv", "");
    await bob.waitFor(/file is empty.*code 6002/s);

    await bob.upload("header_only.csv", "a,b,c\n");
    await bob.waitFor(/no data rows.*code 6002/s);

    await bob.upload("iris.csv", fixture("iris.csv"));
    await bob.waitFor(/Target: species → classification/);
  });

  it("treats a double press as one", async () => {
    const carol = tg.user(1003, { firstName: "Carol", languageCode: "en" });
    await carol.send("/train");
    await carol.waitFor(/Send me your data/);
    await carol.upload("iris.csv", fixture("iris.csv"));
    const card = await carol.waitFor(/Target: species/);
    const accept = card.reply_markup!.inline_keyboard.flat().find((b) => /Accept/.test(b.text))!;
    const first = tg.server.pressButton(carol.id, card.message_id, accept.callback_data!);
    const second = tg.server.pressButton(carol.id, card.message_id, accept.callback_data!);
    await carol.waitForAnswer(first);
    await carol.waitForAnswer(second);
    await carol.waitFor(/What kind of model for classification/);
    // One chat's updates are handled in order: once a later message is answered, the second press is done.
    await carol.send("hello");
    await carol.waitFor(/buttons/i);
    expect(carol.botMessages().filter((m) => /What kind of model/.test(m.text ?? ""))).toHaveLength(1);
  });
});

describe("walking skeleton: a restart between two steps loses nothing", () => {
  it("continues the conversation in a new bot process", async () => {
    const tg = await startFakeTelegram();
    const env = testEnv(tg, "restart");
    let bot = await spawnBot(env);
    try {
      const dave = tg.user(1004, { firstName: "Dave", languageCode: "en" });
      await dave.send("/train");
      await dave.waitFor(/Send me your data/);
      await dave.upload("diabetes.csv", fixture("diabetes.csv"));
      await dave.waitFor(/Target: progression/);

      await killBot(bot);
      bot = await spawnBot(env);

      await dave.click(/Accept/);
      await dave.waitFor(/What kind of model/);
      await dave.click(/Linear models/);
      await dave.waitFor(/Pick a model for regression/);
      await dave.click(/^Linear regression/);
      const result = await dave.waitFor(/is trained/, TRAINING_TIMEOUT);
      expect(Number(/R² (-?[\d.]+)/.exec(result.text ?? "")?.[1])).toBeGreaterThanOrEqual(0.35);
    } finally {
      await killBot(bot);
      await tg.close();
      await env.cleanup();
    }
    // Two bot processes start here, each up to 50 s on a loaded machine (spawnMain), then a training.
  }, 240_000);
});
