/**
 * Nobody spends without limits, through the chat, with RunPod configured (the fake RunPod answers prices):
 * a user outside the paid allow-list trains on this machine without ever being offered a pod; a paid user
 * whose launch would pass the bot's total monthly budget is refused with that cap named and what is left
 * (checked again at launch, since others may spend while the confirmation is open); /admin shows the month by user and provider.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { RedisWorkflowStore } from "../../src/state/redis-store.js";
import { UserData } from "../../src/state/user-data.js";
import { type FakeRunPodServer, startFakeRunPodServer } from "../fakes/runpod/server.js";
import { startApp, type TestEnv, testEnv } from "../helpers/app.js";
import { FAST_BOT_ENV, FAST_TELEGRAM, fixture, SLOW } from "../helpers/flows.js";
import { REDIS_TEST_URL } from "../helpers/redis.js";
import { type FakeTelegram, startFakeTelegram, type TestUser } from "../helpers/telegram.js";

const PAID = 5101;
const OUTSIDER = 5102;
const ADMIN = 5199;
const EARLIER_SPENDER = 5150;

describe("spend limits", () => {
  let fake: FakeRunPodServer;
  let tg: FakeTelegram;
  let env: TestEnv;
  let app: App;

  beforeAll(async () => {
    fake = await startFakeRunPodServer();
    fake.pods.runWorkers = false;
    tg = await startFakeTelegram(FAST_TELEGRAM);
    env = testEnv(tg, "spend", {
      ...FAST_BOT_ENV,
      RUNPOD_API_KEY: fake.apiKey,
      RUNPOD_API_URL: fake.graphqlUrl,
      RUNPOD_NETWORK_VOLUME_ID: "v3zskt9gvb",
      RUNPOD_DATA_CENTER_ID: "EU-RO-1",
      // The volume's S3 API: a refused launch is still made sure of (TERMINATING reads the job's record).
      RUNPOD_STORAGE_ENDPOINT: fake.volumes.endpoint,
      RUNPOD_STORAGE_ACCESS_KEY: fake.volumes.credentials.accessKeyId,
      RUNPOD_STORAGE_SECRET_KEY: fake.volumes.credentials.secretAccessKey,
      // Cloud training needs a worker image to run.
      WORKER_IMAGE: "ghcr.io/example/sma-worker:1.0.0",
      PAID_USER_IDS: String(PAID),
      ADMIN_USER_IDS: String(ADMIN),
      MONTHLY_BUDGET_TOTAL: "1",
    });
    app = await startApp(env);
  });

  /** A job's cost recorded by another bot process (the same Redis). */
  async function spend(userId: number, jobId: string, dollars: number): Promise<void> {
    const store = new RedisWorkflowStore(REDIS_TEST_URL, env.env.REDIS_PREFIX);
    const defaults = { perTrainingJob: 10, perPrediction: 1, monthly: 50 };
    await new UserData(store, { defaults }).recordJobCost(userId, jobId, dollars, "runpod");
    await store.close();
  }

  afterAll(async () => {
    await app?.stop();
    await tg?.close();
    await fake?.close();
    await env?.cleanup();
  });

  /** /train on iris up to the neural network's settings, then Continue. */
  async function trainMlp(user: TestUser): Promise<void> {
    await user.send("/train");
    await user.waitFor(/Send me your data/);
    await user.upload("iris.csv", fixture("iris.csv"));
    await user.waitFor(/Target: species/);
    await user.click(/Accept/);
    await user.waitFor(/What kind of model/);
    await user.click(/Neural network/);
    await user.waitFor(/Pick a model/);
    await user.click(/Neural network \(MLP\)/);
    await user.waitFor(/settings/);
    await user.click(/Continue/);
  }

  it("offers a user outside the paid allow-list only this machine", async () => {
    const outsider = tg.user(OUTSIDER, { firstName: "Out" });
    await trainMlp(outsider);
    await outsider.waitFor(/is trained/, SLOW);
    const texts = outsider.botMessages().map((m) => m.text ?? "");
    expect(texts.some((t) => /Where should it run/.test(t))).toBe(false);
    expect(texts.some((t) => /RunPod/.test(t))).toBe(false);
  });

  it("refuses a paid user's launch over the bot's total monthly budget, naming the cap and what is left", async () => {
    const paid = tg.user(PAID, { firstName: "Pay" });
    await trainMlp(paid);
    await paid.waitFor(/Where should it run/, SLOW);
    await paid.click(/RunPod/);
    const before = await paid.waitFor(/Confirm/);
    expect(before.text).toMatch(/The bot's budget for all users: \$1\.00 left this month/);

    // While the screen is open, other users' jobs use all but a tenth of a cent of the bot's total.
    await spend(EARLIER_SPENDER, "earlier-job", 0.999);
    await paid.click(/Launch/);
    const refused = await paid.waitFor(/left of this bot's monthly budget for all users/, SLOW);
    expect(refused.text).toMatch(/more than the \$0\.001 left of this bot's monthly budget for all users/);
    expect(fake.pods.visible()).toEqual([]);

    // The next attempt is refused on the confirmation screen, which names the cap and what is left.
    await trainMlp(paid);
    await paid.waitFor(/Where should it run/, SLOW);
    await paid.click(/RunPod/);
    const confirm = await paid.waitFor(/Confirm/);
    expect(confirm.text).toMatch(/The bot's budget for all users: \$0\.001 left this month/);
    expect(confirm.text).toMatch(
      /more than the \$0\.001 left this month of the bot's budget for all users \(MONTHLY_BUDGET_TOTAL\)/,
    );
    expect(confirm.reply_markup?.inline_keyboard.flat().some((b) => /Launch/.test(b.text))).toBe(false);
    expect(fake.pods.visible()).toEqual([]);
  });

  it("shows admins the month's spend by user and provider", async () => {
    const admin = tg.user(ADMIN, { firstName: "Ada" });
    await admin.send("/admin");
    const card = await admin.waitFor(/Admin/);
    expect(card.text).toMatch(/Spend this month \(all users\): \$1\.00 of \$1\.00 \(MONTHLY_BUDGET_TOTAL\)/);
    expect(card.text).toMatch(/By provider: runpod \$1\.00/);
    expect(card.text).toMatch(new RegExp(`user ${EARLIER_SPENDER}: \\$1\\.00 \\(runpod \\$1\\.00\\)`));
  });
});
