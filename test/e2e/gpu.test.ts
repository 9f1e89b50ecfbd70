/**
 * The GPU button means something: through the chat (Bot API emulator, grammY's long polling) an MLP goes to
 * the fake RunPod's A5000 offer, whose pod runs our real worker with `device: gpu`. Here the worker's GPU is
 * SwiftShader (vitest.config.ts sets VK_ICD_FILENAMES), so the card names that adapter; with the ICD pointed
 * at nothing the worker finds no adapter, trains on the CPU and the card says so.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { type FakeRunPodServer, startFakeRunPodServer } from "../fakes/runpod/server.js";
import { runPodBotEnv, startApp, type TestEnv, testEnv } from "../helpers/app.js";
import { FAST_BOT_ENV, FAST_TELEGRAM, fixture } from "../helpers/flows.js";
import { type FakeTelegram, startFakeTelegram, type TestUser } from "../helpers/telegram.js";

let tg: FakeTelegram;
let fake: FakeRunPodServer;
let env: TestEnv;
let app: App;

/** SwiftShader runs every GPU dispatch on this machine's CPU: an MLP's epochs take minutes here. */
const GPU_SLOW = { timeoutMs: 280_000 };
const STEP = { timeoutMs: 60_000 };

beforeAll(async () => {
  [tg, fake] = await Promise.all([startFakeTelegram(FAST_TELEGRAM), startFakeRunPodServer({ pullMs: 200 })]);
  env = testEnv(tg, "gpu", {
    ...FAST_BOT_ENV,
    ...runPodBotEnv(fake),
    PAID_COMPUTE_FOR_EVERYONE: "1",
  });
  app = await startApp(env);
});
afterAll(async () => {
  await app?.stop();
  await fake?.close();
  await tg?.close();
  await env?.cleanup();
});

/** /train → iris → MLP (100 epochs at most) → the RunPod A5000 offer → Launch. */
async function launchOnGpuPod(user: TestUser): Promise<void> {
  await user.send("/train");
  await user.waitFor(/Send me your data/);
  await user.upload("iris.csv", fixture("iris.csv"));
  // The upload is read in the sandbox: on a busy machine that takes longer than the default wait.
  await user.waitFor(/Target: species → classification/, STEP);
  await user.click(/Accept/);
  await user.waitFor(/What kind of model/);
  await user.click(/Neural network/);
  await user.waitFor(/Pick a model/);
  await user.click(/^Neural network \(MLP\)/);
  await user.waitFor(/settings/);
  await user.click(/Continue/);
  const where = await user.waitFor(/Where should it run/);
  expect(where.text).toMatch(/RunPod RTX A5000/);
  await user.click(/^\d+\. RunPod RTX A5000$/);
  await user.waitFor(/Confirm/);
  await user.click(/Launch/);
  await user.waitFor(/Training .*Neural network/s, STEP);
}

describe("GPU training through the chat", { timeout: 300_000 }, () => {
  it("a GPU offer trains on the pod's GPU: the card names the adapter (WebGPU/Vulkan)", async () => {
    const user = tg.user(3601, { firstName: "Gil" });
    await launchOnGpuPod(user);
    const card = await user.waitFor(/is trained/, GPU_SLOW);
    expect(card.text).toMatch(/📍 RunPod RTX A5000/);
    expect(card.text).toMatch(/🖥 GPU: SwiftShader.* \(WebGPU\/Vulkan\)/);
    expect(card.text).toMatch(/Accuracy/);
    await fake.pods.workersExited(15_000);
    expect(fake.leaks()).toEqual({ pods: [], workers: [] });
  });

  it("with no adapter the worker falls back to the CPU and the card says so", async () => {
    const saved = process.env.VK_ICD_FILENAMES;
    // The fake's pods inherit this process's environment: a driver list that names no driver.
    process.env.VK_ICD_FILENAMES = "/nonexistent/no_icd.json";
    try {
      const user = tg.user(3602, { firstName: "Hana" });
      await launchOnGpuPod(user);
      const card = await user.waitFor(/is trained/, GPU_SLOW);
      expect(card.text).toMatch(/🖥 CPU — no GPU adapter found/);
      expect(card.text).not.toMatch(/🖥 GPU:/);
    } finally {
      process.env.VK_ICD_FILENAMES = saved;
    }
    await fake.pods.workersExited(15_000);
    expect(fake.leaks()).toEqual({ pods: [], workers: [] });
  });
});
