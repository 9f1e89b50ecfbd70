/**
 * Training on RunPod through the chat (the Bot API emulator over HTTP, grammY's real long polling) against the
 * fake RunPod, whose pods run our real worker on the mounted volume: the result card with its charts, and no
 * pod left running after a job completes, fails, is cancelled or outlives a restart of the bot, including when
 * the worker's own podTerminate fails (then the bot ends the pod within seconds of the result).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { type FakeRunPodServer, startFakeRunPodServer } from "../fakes/runpod/server.js";
import { runPodBotEnv, startApp, type TestEnv, testEnv } from "../helpers/app.js";
import { BillingRecord, resultFinishedAt } from "../helpers/cloud-jobs.js";
import { FAST_BOT_ENV, FAST_TELEGRAM, fixture, SLOW } from "../helpers/flows.js";
import { type FakeTelegram, startFakeTelegram, type TestUser } from "../helpers/telegram.js";

let tg: FakeTelegram;
let fake: FakeRunPodServer;
let env: TestEnv;
let app: App;
const billed = new BillingRecord();

beforeAll(async () => {
  [tg, fake] = await Promise.all([startFakeTelegram(FAST_TELEGRAM), startFakeRunPodServer({ pullMs: 200 })]);
  env = testEnv(tg, "cloud-runpod", {
    ...FAST_BOT_ENV,
    ...runPodBotEnv(fake),
    // An open bot offers paid compute only when its operator says so.
    PAID_COMPUTE_FOR_EVERYONE: "1",
  });
  app = await startApp(env);
});
afterAll(async () => {
  console.log(`RunPod, pod billing after the job's end: ${billed}`);
  await app?.stop();
  await fake?.close();
  await tg?.close();
  await env?.cleanup();
});
afterEach(() => fake.clearFaults());

/** /train → iris → MLP → the RunPod A5000 offer → Launch; resolves once the progress message is up. */
async function launchOnRunPod(user: TestUser): Promise<void> {
  await user.send("/train");
  await user.waitFor(/Send me your data/);
  await user.upload("iris.csv", fixture("iris.csv"));
  await user.waitFor(/Target: species → classification/);
  await user.click(/Accept/);
  await user.waitFor(/What kind of model/);
  await user.click(/Neural network/);
  await user.waitFor(/Pick a model/);
  await user.click(/^Neural network \(MLP\)/);
  await user.waitFor(/settings/);
  await user.click(/Continue/);
  await user.waitFor(/Where should it run/);
  await user.click(/^\d+\. RunPod RTX A5000$/);
  const confirm = await user.waitFor(/Confirm/);
  expect(confirm.text).toMatch(/Where: RunPod RTX A5000/);
  await user.click(/Launch/);
  await user.waitFor(/Training .*Neural network/s);
}

/** The pods created since the test began (the tests run one after another). */
const podsSince = (since: number) =>
  [...fake.pods.pods.values()].filter((p) => p.createdAt.getTime() >= since);

/** Waits until no pod and no worker is left (the workflow has already said how the job ended). */
async function expectNothingLeft(): Promise<void> {
  await fake.pods.workersExited(15_000);
  expect(fake.leaks()).toEqual({ pods: [], workers: [] });
}

// Each test waits up to SLOW (90 s) for the result and then for the pod to go: the default 60 s per test is
// shorter than its own waits, and a loaded 2-core machine needs them.
describe("RunPod through the chat", { timeout: 240_000 }, () => {
  it("completes: the result card with its charts and the quote; the pod is gone", async () => {
    const user = tg.user(3101, { firstName: "Ana" });
    const since = Date.now();
    await launchOnRunPod(user);
    const card = await user.waitFor(/is trained/, SLOW);
    expect(card.text).toMatch(/Accuracy/);
    expect(card.text).toMatch(/📍 RunPod RTX A5000/);
    expect(card.text).toMatch(/🧾 Quoted: ~.+, \$0\.0\d+/);
    const photos = user.botMessages().filter((m) => m.photo);
    expect(photos.length).toBeGreaterThanOrEqual(2);
    const [pod] = podsSince(since);
    expect(billed.after("complete", pod, await resultFinishedAt(app, env.dataDir, 3101))).toBeLessThanOrEqual(
      60,
    );
    await expectNothingLeft();
    // Nothing of the job stays on the volume; the model is at home.
    const models = await app.manager.getState(3101, 3101);
    expect(models?.state).toMatch(/TRAINING_COMPLETE/);
  });

  it("completes even when the pod cannot terminate itself: the bot ends it, the restarted worker does not train again", async () => {
    fake.inject({ kind: "self-terminate-fails" }, 1000);
    const user = tg.user(3102, { firstName: "Bia" });
    const since = Date.now();
    await launchOnRunPod(user);
    await user.waitFor(/is trained/, SLOW);
    const [pod] = podsSince(since);
    expect(pod.terminatedBy).toBe("api");
    // RunPod started the exited container again; it found its result and did not train a second time.
    expect(pod.starts).toBeGreaterThanOrEqual(1);
    expect(
      billed.after("complete, own terminate failing", pod, await resultFinishedAt(app, env.dataDir, 3102)),
    ).toBeLessThanOrEqual(60);
    await expectNothingLeft();
  });

  it("fails when the pod dies mid-job: the user is told, and no pod is left", async () => {
    // After the launch has seen the pod running (readiness is checked every 5 s), its host fails.
    fake.inject({ kind: "pod-dies", afterMs: 7_000 });
    fake.pods.runWorkers = false;
    try {
      const user = tg.user(3103, { firstName: "Caio" });
      const since = Date.now();
      await launchOnRunPod(user);
      const failure = await user.waitFor(/pod ended without writing a result/, SLOW);
      expect(failure.text).toMatch(/code \d+|3\d\d\d/);
      const [pod] = podsSince(since);
      expect(billed.after("failed (pod died)", pod, Date.now())).toBeLessThanOrEqual(0);
      await expectNothingLeft();
    } finally {
      fake.pods.runWorkers = true;
    }
  });

  it("is cancelled: the pod is terminated before the user hears it", async () => {
    fake.pods.runWorkers = false; // a job that would run for ever
    try {
      const user = tg.user(3104, { firstName: "Duda" });
      const since = Date.now();
      await launchOnRunPod(user);
      // The pod runs (the launch is over) but no worker reports: the job is under way.
      await user.waitFor(/Starting the worker/, SLOW);
      const pressed = Date.now();
      await user.click(/Cancel/);
      await user.waitFor(/Cancelled|cancelled/, SLOW);
      const [pod] = podsSince(since);
      expect(pod.desiredStatus).toBe("TERMINATED");
      expect(billed.after("cancelled", pod, pressed)).toBeLessThanOrEqual(60);
      await expectNothingLeft();
    } finally {
      fake.pods.runWorkers = true;
    }
  });

  it("goes on after a restart of the bot mid-job: the restarted bot takes the result in, and no pod is left", async () => {
    const user = tg.user(3105, { firstName: "Edu" });
    const since = Date.now();
    fake.pods.runWorkers = false; // hold the job until the bot has restarted
    await launchOnRunPod(user);
    await app.stop();
    fake.pods.runWorkers = true;
    fake.pods.resumeWorkers();
    app = await startApp(env);
    const card = await user.waitFor(/is trained/, SLOW);
    expect(card.text).toMatch(/📍 RunPod RTX A5000/);
    const [pod] = podsSince(since);
    expect(
      billed.after("bot restarted mid-job", pod, await resultFinishedAt(app, env.dataDir, 3105)),
    ).toBeLessThanOrEqual(60);
    await expectNothingLeft();
  });
});
