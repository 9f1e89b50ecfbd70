/**
 * Shared storage end to end: two bot replicas (webhook mode) and one `npm run worker` process on one Redis and
 * one S3 bucket (s3rver) with STORAGE=s3, each of the three on its OWN DATA_DIR. A user uploads and trains
 * through replica A; replica B, which never saw the upload, lists the dataset and the model, renames the
 * model (A then shows the new name), serves /predict on it and deletes it, and A then no longer shows it. The
 * jobs run on the worker, which shares no folder with either bot. Nothing of the user's lands in any DATA_DIR
 * but the caches.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3Manager } from "../../src/cloud/aws/storage.js";
import { loadConfig } from "../../src/config.js";
import { type MainProcess, spawnMain, type TestEnv, testEnv } from "../helpers/app.js";
import { WebhookFront, WorkerProcess } from "../helpers/fleet.js";
import {
  FAST_BOT_ENV,
  FAST_TELEGRAM,
  fixture,
  modelIdIn,
  predictThroughChat,
  trainThroughChat,
  withoutColumn,
} from "../helpers/flows.js";
import { type S3rverHandle, s3rverEnv, startS3rver } from "../helpers/s3rver.js";
import { type FakeTelegram, startFakeTelegram } from "../helpers/telegram.js";
import { freePort } from "../ops/helpers.js";

const BUCKET = "sma-e2e-shared";
let tg: FakeTelegram;
let s3: S3rverHandle;
let env: TestEnv;
let front: WebhookFront;
let bucket: S3Manager;
/** The DATA_DIRs of replica A, replica B and the worker. */
let dataDirs: string[];
const bots: MainProcess[] = [];
let worker: WorkerProcess;

beforeAll(async () => {
  [tg, s3] = await Promise.all([startFakeTelegram(FAST_TELEGRAM), startS3rver([BUCKET])]);
  const ports = [await freePort(), await freePort()];
  front = await WebhookFront.start(ports);
  env = testEnv(tg, "fleet-s3", {
    ...FAST_BOT_ENV,
    WEBHOOK_URL: front.url,
    WEBHOOK_SECRET: "fleet-s3-webhook-secret",
    STORAGE: "s3",
    STORAGE_CACHE_MB: "64",
    AWS_REGION: "us-east-1",
    ...s3rverEnv(s3, BUCKET),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    RATE_LIMIT_PER_MINUTE: "600",
    FLEET_IN_PROCESS_WORKER: "false",
  });
  dataDirs = [env.dataDir, ...["b", "worker"].map((n) => mkdtempSync(join(tmpdir(), `sma-fleet-s3-${n}-`)))];
  bucket = S3Manager.fromConfig(loadConfig(env.env));
  const starting = ports.map((port, i) =>
    spawnMain(
      { ...env.env, DATA_DIR: dataDirs[i], PORT: String(port), LOG_LEVEL: "info" },
      /receiving updates by webhook/,
      120_000,
    ),
  );
  [worker] = await Promise.all([WorkerProcess.spawn({ ...env.env, DATA_DIR: dataDirs[2] }), ...starting]);
  bots.push(...(await Promise.all(starting)));
}, 240_000);

afterAll(async () => {
  await worker?.kill();
  for (const bot of bots) bot.child.kill("SIGKILL");
  await Promise.all(bots.map((b) => b.exited));
  bucket?.client.destroy();
  await front?.close();
  await tg?.close();
  await s3?.close();
  await env?.cleanup();
  for (const dir of dataDirs?.slice(1) ?? []) rmSync(dir, { recursive: true, force: true });
});

describe("two replicas on S3 storage, each with its own DATA_DIR", () => {
  it("a replica that did not receive the upload lists, renames, serves /predict on and deletes the model", async () => {
    const user = tg.user(6600, { firstName: "Sia" });
    front.route = () => 0;
    const card = await trainThroughChat(user, {
      file: "diabetes.csv",
      expect: { target: "progression", task: "regression" },
      category: /Linear models/,
      model: /^Linear regression/,
    });
    const modelId = modelIdIn(card);
    const stored = await bucket.listUserModels(user.id);
    expect(stored.map((m) => m.modelId)).toEqual([modelId]);
    expect(stored[0].uri).toMatch(new RegExp(`^s3://${BUCKET}/models/user_${user.id}/`));
    for (const dataDir of dataDirs) {
      expect(existsSync(join(dataDir, "models"))).toBe(false);
      expect(existsSync(join(dataDir, "datasets"))).toBe(false);
    }

    front.route = () => 1;
    await user.send("/datasets");
    await user.waitFor(/Your datasets \(1\)[\s\S]*diabetes\.csv/);
    await user.send("/models");
    await user.waitFor(/Your models \(1\)/);
    const list = user.lastBotMessage()!;
    const open = list.reply_markup!.inline_keyboard.flat().find((b) => b.callback_data?.endsWith(modelId));
    await user.click(open!.text);
    await user.waitFor(/Target: progression/);
    await user.click(/Rename/);
    await user.waitFor(/Type a new name/);
    await user.send("Shared baseline");
    await user.waitFor(/Renamed to Shared baseline/);
    front.route = () => 0;
    await user.send("/models");
    await user.waitFor(/Shared baseline/);
    front.route = () => 1;
    const csv = await predictThroughChat(
      user,
      "new.csv",
      withoutColumn(fixture("diabetes.csv"), "progression"),
    );
    expect(csv.trim().split(/\r?\n/)).toHaveLength(443);
    const results = await bucket.client.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `results/user_${user.id}/` }),
    );
    expect(results.Contents?.map((o) => o.Key)).toEqual([expect.stringMatching(/predictions\.csv$/)]);

    await user.send("/models");
    await user.waitFor(/Your models \(1\)/);
    await user.click(open!.text);
    await user.waitFor(/Target: progression/);
    await user.click(/Delete/);
    await user.waitFor(/Delete .*\?/);
    await user.click(/Yes, delete/);
    await user.waitFor(/was deleted/);
    expect(await bucket.listUserModels(user.id)).toEqual([]);

    // Replica A, which trained it (and may hold it in its cache), no longer shows it.
    front.route = () => 0;
    await user.send("/models");
    await user.waitFor(/no trained models yet/);
    const uploads = front.deliveries.filter((d) => d.userId === user.id && d.document);
    expect(uploads.map((d) => d.replica)).toEqual([0, 1]);
    const ran = worker.all((e) => e.event === "job-finished" && e.status === "succeeded").map((e) => e.kind);
    expect(ran).toEqual(["train", "predict"]);
  }, 180_000);
});
