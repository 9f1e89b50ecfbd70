/**
 * Training on EC2 through the chat against aws-sdk-client-mock, where "the instance" is a worker process
 * started from the user data the bot sent (the container's variables plus the instance role's S3 access, on
 * s3rver): the result card with its charts, and no instance left running after a job completes, when the
 * instance's own power-off fails, when it is cancelled, and when a bad AMI never runs the worker (the failure
 * shows the instance's boot log).
 */
import {
  GetFunctionConfigurationCommand,
  LambdaClient,
  LambdaServiceException,
} from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { S3Manager } from "../../src/cloud/aws/storage.js";
import { loadConfig } from "../../src/config.js";
import { FakeEc2 } from "../fakes/ec2.js";
import { startApp, type TestEnv, testEnv } from "../helpers/app.js";
import { BillingRecord, resultFinishedAt } from "../helpers/cloud-jobs.js";
import { FAST_BOT_ENV, FAST_TELEGRAM, fixture, SLOW } from "../helpers/flows.js";
import { S3RVER_CREDENTIALS, type S3rverHandle, startS3rver } from "../helpers/s3rver.js";
import { type FakeTelegram, startFakeTelegram, type TestUser } from "../helpers/telegram.js";

const BUCKET = "sma-e2e-ec2";
let tg: FakeTelegram;
let s3: S3rverHandle;
let ec2: FakeEc2;
let env: TestEnv;
let app: App;
const billed = new BillingRecord();
let bucket: S3Manager;
const lambdaMock = mockClient(LambdaClient);
beforeAll(async () => {
  [tg, s3] = await Promise.all([startFakeTelegram(FAST_TELEGRAM), startS3rver([BUCKET])]);
  const aws = {
    AWS_REGION: "us-east-1",
    S3_BUCKET: BUCKET,
    S3_ENDPOINT: s3.endpoint,
    S3_FORCE_PATH_STYLE: "true",
    S3_CHECKSUM_WHEN_REQUIRED: "true",
  };
  env = testEnv(tg, "cloud-ec2", {
    ...FAST_BOT_ENV,
    ...aws,
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
    EC2_AMI_ID: "ami-0ecs2023",
    EC2_IAM_INSTANCE_PROFILE: "sma-worker",
    WORKER_IMAGE: "123456789012.dkr.ecr.us-east-1.amazonaws.com/sma-worker:1.0.0",
    // An open bot offers paid compute only when its operator says so.
    PAID_COMPUTE_FOR_EVERYONE: "1",
  });
  bucket = S3Manager.fromConfig(loadConfig(env.env));
  ec2 = new FakeEc2({
    // What the instance profile gives the worker: S3 access, nothing else (no signing key).
    roleEnv: {
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
    uploadBootLog: async (jobId, text) =>
      void (await bucket.writeBytes(bucket.jobUri(jobId, "instance.log"), text)),
  });
  // No prediction function is deployed: no Lambda offer.
  lambdaMock.on(GetFunctionConfigurationCommand).rejects(
    new LambdaServiceException({
      name: "ResourceNotFoundException",
      message: "Function not found",
      $fault: "client",
      $metadata: { httpStatusCode: 404 },
    }),
  );
  app = await startApp(env);
});
afterAll(async () => {
  console.log(`EC2, instance billing after the job's end: ${billed}`);
  await app?.stop();
  await ec2?.close();
  lambdaMock.restore();
  bucket?.client.destroy();
  await tg?.close();
  await s3?.close();
  await env?.cleanup();
});
afterEach(() => {
  ec2.shutdownFails = false;
  ec2.badAmi = false;
  ec2.holdWorkers = false;
});

/** /train → iris → logistic regression → the cheapest EC2 offer → Launch. */
async function launchOnEc2(user: TestUser): Promise<void> {
  await user.send("/train");
  await user.waitFor(/Send me your data/);
  await user.upload("iris.csv", fixture("iris.csv"));
  await user.waitFor(/Target: species → classification/);
  await user.click(/Accept/);
  await user.waitFor(/What kind of model/);
  await user.click(/Linear models/);
  await user.waitFor(/Pick a model/);
  await user.click(/^Logistic regression/);
  await user.waitFor(/settings/);
  await user.click(/Continue/);
  await user.waitFor(/Where should it run/);
  await user.click(/^\d+\. AWS c5\.large$/);
  await user.waitFor(/Confirm/);
  await user.click(/Launch/);
}

const instancesSince = (since: number) =>
  [...ec2.instances.values()].filter((i) => i.launchedAt.getTime() >= since);

function expectNothingLeft(): void {
  expect(ec2.live().map((i) => i.id)).toEqual([]);
  expect(ec2.workers().map((i) => i.id)).toEqual([]);
}

describe("EC2 through the chat", () => {
  it("completes: the result card with its charts; the instance is gone; its user data held no secret", async () => {
    const user = tg.user(3201, { firstName: "Iva" });
    const since = Date.now();
    await launchOnEc2(user);
    const card = await user.waitFor(/is trained/, SLOW);
    expect(card.text).toMatch(/📍 AWS c5\.large/);
    expect(card.text).toMatch(/🧾 Quoted: ~/);
    expect(user.botMessages().filter((m) => m.photo).length).toBeGreaterThanOrEqual(2);
    const [instance] = instancesSince(since);
    expect(Object.keys(instance.env).sort()).toEqual([
      "AWS_REGION",
      "LOG_LEVEL",
      "S3_BUCKET",
      "S3_CHECKSUM_WHEN_REQUIRED",
      "S3_ENDPOINT",
      "S3_FORCE_PATH_STYLE",
      "SMA_SPEC_URI",
    ]);
    expect(
      billed.after("complete", instance, await resultFinishedAt(app, env.dataDir, 3201)),
    ).toBeLessThanOrEqual(60);
    expectNothingLeft();
  });

  it("completes when the instance's own power-off fails: the bot terminates it", async () => {
    ec2.shutdownFails = true;
    const user = tg.user(3202, { firstName: "Jan" });
    const since = Date.now();
    await launchOnEc2(user);
    await user.waitFor(/is trained/, SLOW);
    const [instance] = instancesSince(since);
    expect(instance.terminatedBy).toBe("api");
    expect(
      billed.after(
        "complete, own power-off failing",
        instance,
        await resultFinishedAt(app, env.dataDir, 3202),
      ),
    ).toBeLessThanOrEqual(60);
    expectNothingLeft();
  });

  it("is cancelled: the instance is terminated before the user hears it", async () => {
    ec2.holdWorkers = true;
    const user = tg.user(3203, { firstName: "Kim" });
    const since = Date.now();
    await launchOnEc2(user);
    await user.waitFor(/Starting the worker/, SLOW);
    const pressed = Date.now();
    await user.click(/Cancel/);
    await user.waitFor(/Cancelled|cancelled/, SLOW);
    const [instance] = instancesSince(since);
    expect(instance.state).toBe("terminated");
    expect(billed.after("cancelled", instance, pressed)).toBeLessThanOrEqual(60);
    expectNothingLeft();
  });

  it("fails on a bad AMI, showing the instance's own log", async () => {
    ec2.badAmi = true;
    const user = tg.user(3204, { firstName: "Leo" });
    await launchOnEc2(user);
    const failure = await user.waitFor(/stopped without a result|no longer exists/, SLOW);
    expect(failure.text).toMatch(/Last lines of the machine's own log/);
    expect(failure.text).toMatch(/docker: command not found/);
    expectNothingLeft();
  });
});
