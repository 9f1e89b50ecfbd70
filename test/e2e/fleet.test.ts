/**
 * The fleet end to end: two bot replicas in webhook mode (Telegram's posts spread over both) with no worker of
 * their own, and two `npm run worker` processes, on one Redis and one DATA_DIR. Datasets are tiny and models
 * fast: what is tested is where jobs run and how often their results arrive, not training.
 */
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MainProcess, spawnMain, type TestEnv, testEnv } from "../helpers/app.js";
import { WebhookFront, type WorkerEvent, WorkerProcess } from "../helpers/fleet.js";
import { FAST_BOT_ENV, FAST_TELEGRAM, fixture, SLOW, withoutColumn } from "../helpers/flows.js";
import { REDIS_TEST_URL } from "../helpers/redis.js";
import { type FakeTelegram, startFakeTelegram, type TestUser } from "../helpers/telegram.js";
import { freePort } from "../ops/helpers.js";

const SECRET = "fleet-webhook-secret";
let tg: FakeTelegram;
let env: TestEnv;
let front: WebhookFront;
const bots: MainProcess[] = [];
const workers: WorkerProcess[] = [];

const trainStarts = (w: WorkerProcess, userId?: number) =>
  w.all(
    (e) => e.event === "job-started" && e.kind === "train" && (userId === undefined || e.userId === userId),
  );
const cards = (user: TestUser) => user.botMessages().filter((m) => /is trained/.test(m.text ?? ""));

interface Steps {
  file: string;
  target: RegExp;
  category: RegExp;
  model: RegExp;
  param?: RegExp;
}

const LINEAR: Steps = {
  file: "diabetes.csv",
  target: /Target: progression → regression/,
  category: /Linear models/,
  model: /^Linear regression/,
};
/** A forest that keeps a worker busy for a few seconds (long enough to be stopped or killed mid-job). */
const FOREST: Steps = {
  file: "breast_cancer.csv",
  target: /Target: diagnosis → classification/,
  category: /Trees/,
  model: /^Random forest/,
  param: /^nEstimators=500$/,
};

/** /train up to the launch, every step with a loaded machine's patience (20 users share two workers). */
async function launchTraining(user: TestUser, steps: Steps): Promise<void> {
  await user.send("/train");
  await user.waitFor(/Send me your data/, SLOW);
  await user.upload(steps.file, fixture(steps.file));
  await user.waitFor(steps.target, SLOW);
  await user.click(/Accept/);
  await user.waitFor(/What kind of model/, SLOW);
  await user.click(steps.category);
  await user.waitFor(/Pick a model/, SLOW);
  await user.click(steps.model);
  const next = await user.waitFor(/settings|Training/, SLOW);
  if (!/settings/.test(next.text ?? "")) return;
  if (steps.param) {
    await user.click(steps.param);
    await user.waitFor(/nEstimators = 500/, SLOW);
  }
  await user.click(/Continue/);
}

async function train(user: TestUser, steps: Steps): Promise<string> {
  await launchTraining(user, steps);
  return (await user.waitFor(/is trained/, { timeoutMs: 180_000 })).text ?? "";
}

/** A bot replica behind the webhook front, on one of its ports. */
function startReplica(port: number): Promise<MainProcess> {
  return spawnMain(
    { ...env.env, PORT: String(port), LOG_LEVEL: "info" },
    /receiving updates by webhook/,
    120_000,
  );
}

/** Starts a forest for `user` and resolves with the worker running it and its start event. */
async function startForest(user: TestUser): Promise<{ worker: WorkerProcess; started: WorkerEvent }> {
  await launchTraining(user, FOREST);
  const isOurs = (e: WorkerEvent) => e.event === "job-started" && e.kind === "train" && e.userId === user.id;
  const started = await Promise.any(workers.map((w) => w.waitFor(isOurs)));
  return { worker: workers.find((w) => w.id === started.worker)!, started };
}

beforeAll(async () => {
  tg = await startFakeTelegram(FAST_TELEGRAM);
  const ports = [await freePort(), await freePort()];
  front = await WebhookFront.start(ports);
  env = testEnv(tg, "fleet-e2e", {
    ...FAST_BOT_ENV,
    WEBHOOK_URL: front.url,
    WEBHOOK_SECRET: SECRET,
    FLEET_IN_PROCESS_WORKER: "false",
    FLEET_USER_MAX_RUNNING: "1",
    LOCAL_MAX_CONCURRENT_JOBS: "1",
    RATE_LIMIT_PER_MINUTE: "600",
  });
  for (const port of ports) bots.push(await startReplica(port));
  for (let i = 0; i < 2; i++) workers.push(await WorkerProcess.spawn(env.env));
}, 600_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  for (const bot of bots) bot.child.kill("SIGKILL");
  await Promise.all(bots.map((b) => b.exited));
  await front?.close();
  await tg?.close();
  await env?.cleanup();
});

describe("a fleet of two workers behind two bot replicas", () => {
  it("trains for 20 users at once: one result card each, the jobs spread over both workers", async () => {
    const users = Array.from({ length: 20 }, (_, i) => tg.user(6100 + i, { firstName: `U${i}` }));
    await Promise.all(users.map((user) => train(user, LINEAR)));
    for (const user of users) {
      expect(cards(user)).toHaveLength(1);
      const jobIds = new Set(workers.flatMap((w) => trainStarts(w, user.id)).map((e) => e.jobId));
      expect(jobIds.size).toBe(1);
      const finished = workers.flatMap((w) =>
        w.all((e) => e.event === "job-finished" && jobIds.has(e.jobId)),
      );
      expect(finished).toHaveLength(1);
    }
    for (const worker of workers) expect(trainStarts(worker).length).toBeGreaterThan(0);
    const replicas = new Set(front.deliveries.map((d) => d.replica));
    expect(replicas).toEqual(new Set([0, 1]));
  }, 300_000);

  it("serves /predict from the replica that did not receive the upload", async () => {
    const user = tg.user(6200, { firstName: "Pedro" });
    front.route = (userId) => (userId === user.id ? 0 : undefined);
    await train(user, LINEAR);
    front.route = (userId) => (userId === user.id ? 1 : undefined);
    await user.send("/predict");
    await user.waitFor(/Send the file with the rows to predict/, SLOW);
    await user.upload("new.csv", withoutColumn(fixture("diabetes.csv"), "progression"));
    await user.waitFor(/Models that fit this data/, SLOW);
    await user.click(/Continue/);
    const next = await user.waitFor(/Which model|new column/, SLOW);
    if (/Which model/.test(next.text ?? "")) {
      await user.click(/./);
      await user.waitFor(/new column/, SLOW);
    }
    await user.click(/Use this name/);
    await user.waitFor(/Ready to run/, SLOW);
    await user.click(/Run/);
    await user.waitFor((m) => Boolean(m.document), SLOW);
    const csv = user.documents().at(-1)!.bytes.toString("utf8");
    expect(csv.trim().split(/\r?\n/)).toHaveLength(443);
    const mine = front.deliveries.filter((d) => d.userId === user.id);
    const uploads = mine.filter((d) => d.document);
    expect(uploads.map((d) => d.replica)).toEqual([0, 1]);
    front.route = undefined;
  }, 180_000);

  it("/cancel stops the running job on its worker within 2 s and frees the slot", async () => {
    const user = tg.user(6300, { firstName: "Cleo" });
    const { worker, started } = await startForest(user);
    await user.send("/cancel");
    const stopped = await worker.waitFor((e) => e.event === "job-cancelled" && e.jobId === started.jobId);
    expect(Number(stopped.stoppedAt) - Number(stopped.requestedAt)).toBeLessThan(2000);
    const finished = await worker.waitFor((e) => e.event === "job-finished" && e.jobId === started.jobId);
    expect(finished.status).toBe("cancelled");
    await user.waitFor(/Cancelled/, SLOW);
    // The user's one running slot (FLEET_USER_MAX_RUNNING=1) is free: their next training runs.
    await train(user, LINEAR);
    expect(cards(user)).toHaveLength(1);
  }, 180_000);

  it("a restart of every bot replica mid-job: the restarted bots follow the same job, which runs once", async () => {
    const user = tg.user(6500, { firstName: "Rui" });
    const { started } = await startForest(user);
    // Restarted once the progress message is on record (not between sending it and recording its id).
    const redis = new Redis(REDIS_TEST_URL);
    try {
      const ui = `${env.env.REDIS_PREFIX}:user:${user.id}:ui:${user.id}`;
      for (let i = 0; i < 200 && !(await redis.get(ui))?.includes("progressMessageId"); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      redis.disconnect();
    }
    for (const bot of bots) bot.child.kill("SIGKILL");
    await Promise.all(bots.map((b) => b.exited));
    bots.splice(0, bots.length, ...(await Promise.all(front.ports.map(startReplica))));

    await user.waitFor(/is trained/, { timeoutMs: 180_000 });
    expect(cards(user)).toHaveLength(1);
    const progress = user.botMessages().filter((m) => /Training Random forest/.test(m.text ?? ""));
    expect(progress).toHaveLength(1);
    const runs = (event: string) =>
      workers.flatMap((w) => w.all((e) => e.event === event && e.jobId === started.jobId));
    expect(runs("job-started")).toHaveLength(1);
    expect(runs("job-finished").map((e) => [e.worker, e.status])).toEqual([[started.worker, "succeeded"]]);
  }, 300_000);

  it("kill -9 of a worker mid-job: the job finishes on the other worker, with one result card", async () => {
    const user = tg.user(6400, { firstName: "Kim" });
    const { worker, started } = await startForest(user);
    await worker.kill();
    const other = workers.find((w) => w !== worker)!;
    await other.waitFor((e) => e.event === "job-started" && e.jobId === started.jobId, 120_000);
    await user.waitFor(/is trained/, { timeoutMs: 120_000 });
    const finishedOn = workers.flatMap((w) =>
      w.all((e) => e.event === "job-finished" && e.jobId === started.jobId),
    );
    expect(finishedOn).toHaveLength(1);
    expect(finishedOn[0].worker).toBe(other.id);
    expect(finishedOn[0].status).toBe("succeeded");
    expect(cards(user)).toHaveLength(1);
  }, 240_000);
});
