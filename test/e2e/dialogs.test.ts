/**
 * Dialogs outside workflows (@grammyjs/conversations): a half-answered question (a budget cap, a delete
 * confirmation, a language choice) survives a bot restart, on the real Redis (@grammyjs/storage-redis) and on
 * the embedded store; a wrong answer is asked again; a command or another button leaves the dialog. Driven
 * over HTTP through the Bot API emulator with grammY's real long polling.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { startApp, type TestEnv, testEnv } from "../helpers/app.js";
import { FAST_BOT_ENV, FAST_TELEGRAM, fixture } from "../helpers/flows.js";
import { type FakeTelegram, startFakeTelegram, type TestUser } from "../helpers/telegram.js";

/** Stores iris.csv for the user (every file sent for training is kept) and shows /datasets. */
async function storeDataset(user: TestUser): Promise<void> {
  await user.send("/train");
  await user.waitFor(/Send me your data/);
  await user.upload("iris.csv", fixture("iris.csv"));
  await user.waitFor(/rows ×/);
  await user.send("/datasets");
  await user.waitFor(/Your datasets.*\(1\)[\s\S]*iris\.csv/);
}

for (const backend of ["redis", "embedded"] as const) {
  describe(`dialogs on ${backend === "redis" ? "Redis" : "the embedded store"}`, () => {
    let tg: FakeTelegram;
    let env: TestEnv;
    let app: App;

    beforeAll(async () => {
      tg = await startFakeTelegram(FAST_TELEGRAM);
      env = testEnv(tg, `dialogs-${backend}`, FAST_BOT_ENV);
      if (backend === "embedded") delete env.env.REDIS_URL;
      app = await startApp(env);
    });

    afterAll(async () => {
      await app?.stop();
      await tg?.close();
      await env?.cleanup();
    });

    it("resumes a budget question after a restart, and asks again after a wrong answer", async () => {
      const user = tg.user(backend === "redis" ? 7101 : 7201, { firstName: "Dora" });
      await user.send("/budget");
      await user.waitFor(/Your spending caps/);
      await user.click(/Per job/);
      await user.waitFor(/Type the new cap per training job in dollars \(0–\$10\.00\)/);

      await app.stop();
      app = await startApp(env);

      await user.send("twelve");
      await user.waitFor(/Type a number of dollars between 0 and \$10\.00/);
      await user.send("$2,5");
      await user.waitFor(/Saved/);
      await user.waitFor(/Per training job: \$2\.50/);
    });

    it("lets a command leave the dialog: the next text is not taken as the answer", async () => {
      const user = tg.user(backend === "redis" ? 7102 : 7202, { firstName: "Eli" });
      await user.send("/budget");
      await user.waitFor(/Your spending caps/);
      await user.click(/Monthly/);
      await user.waitFor(/Type the new monthly cap/);
      await user.send("/help");
      await user.waitFor(/How it works/);
      // Outside any dialog or workflow, text gets the help text, not "Saved".
      await user.send("3");
      const reply = await user.waitFor(/./);
      expect(reply.text).toMatch(/How it works/);
      await user.send("/budget");
      const caps = await user.waitFor(/Your spending caps/);
      expect(caps.text).toMatch(/spent of \$50\.00/);
    });

    it("resumes a delete confirmation after a restart; Keep leaves it and deletes nothing", async () => {
      const user = tg.user(backend === "redis" ? 7103 : 7203, { firstName: "Fay" });
      await storeDataset(user);
      await user.click("🗑 1");
      await user.waitFor(/Delete the dataset iris\.csv\?/);
      await user.click(/Keep it/);
      await user.waitFor(/Your datasets.*\(1\)/);

      await user.click("🗑 1");
      await user.waitFor(/Delete the dataset iris\.csv\?/);
      await app.stop();
      app = await startApp(env);

      await user.click(/Yes, delete/);
      await user.waitFor(/iris\.csv was deleted/);
      await user.send("/datasets");
      await user.waitFor(/You have no stored datasets/);
    });

    it("resumes a language choice after a restart, and keeps the choice", async () => {
      const user = tg.user(backend === "redis" ? 7104 : 7204, { firstName: "Gil", languageCode: "en" });
      await user.send("/language");
      await user.waitFor(/Choose a language/);
      await app.stop();
      app = await startApp(env);

      const query = await user.click(/Português/);
      expect((await user.waitForAnswer(query)).text).toBe("Idioma: português.");
      await user.waitFor(/Idioma: português\./);
      await user.send("/language");
      await user.waitFor(/Escolha um idioma/);
    });
  });
}
