/**
 * LambdaManager with aws-sdk-client-mock and strict input checks: RequestResponse for small inputs, Event for
 * large ones (status through the job channel on s3rver), timeouts as LambdaTimeoutError 4001, and
 * updateFunctionCode waiting for the update. The mocked function runs our real prediction handler.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  GetFunctionConfigurationCommand,
  InvokeCommand,
  type InvokeCommandInput,
  type InvokeCommandOutput,
  LambdaClient,
  UpdateFunctionCodeCommand,
} from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LambdaManager } from "../../../src/cloud/aws/prediction.js";
import { LAMBDA_GB_SECOND_PRICE, LAMBDA_REQUEST_PRICE } from "../../../src/cloud/pricing.js";
import type { PredictionRequest } from "../../../src/cloud/provider-interface.js";
import { LambdaTimeoutError } from "../../../src/errors.js";
import { handlePredictEvent } from "../../../src/worker/predict-entry.js";
import { fixturePath, saveIrisModel } from "../helpers/models.js";
import { type AwsWorld, SIGNING_KEY, startAwsWorld, USER_ID } from "./harness.js";

const lambdaMock = mockClient(LambdaClient);
const FUNCTION = "ml-agent-prediction";
let world: AwsWorld;
let modelUri: string;
let dataUri: string;
let counter = 0;

beforeAll(async () => {
  world = await startAwsWorld();
  modelUri = await saveIrisModel(world.storage, USER_ID, "m-iris-lambda", SIGNING_KEY);
  dataUri = await world.storage.uploadDataset(USER_ID, fixturePath("iris.csv"), "iris.csv");
});
afterAll(() => world.close());
afterEach(() => lambdaMock.reset());

/** The function itself: our handler, run in-process on the event Lambda would receive. */
async function runFunction(input: InvokeCommandInput) {
  const event = JSON.parse(Buffer.from(input.Payload as Uint8Array).toString("utf8"));
  return handlePredictEvent(event, { config: world.config, logger: pino({ level: "silent" }) });
}

function manager(now?: () => Date) {
  return new LambdaManager({
    lambda: new LambdaClient({ region: "us-east-1" }),
    storage: world.storage,
    resolveStorage: () => world.storage,
    signingKey: SIGNING_KEY,
    functionName: FUNCTION,
    memoryMb: 3008,
    timeoutSeconds: 900,
    pollIntervalMs: 50,
    updatePollMs: 10,
    now,
  });
}

function request(overrides: Partial<PredictionRequest> = {}): PredictionRequest {
  counter += 1;
  const jobId = `lambda-job-${Date.now().toString(36)}-${counter}`;
  return {
    jobId,
    userId: USER_ID,
    modelUri,
    dataUri,
    outputUri: world.storage.resultUri(USER_ID, jobId, "predictions.csv"),
    nRows: 150,
    dataSizeBytes: 4_000,
    ...overrides,
  };
}

/** A mocked response Payload (typed as the SDK's Uint8ArrayBlobAdapter; reference/stack.md). */
const payloadOf = (value: unknown) =>
  Buffer.from(JSON.stringify(value)) as unknown as InvokeCommandOutput["Payload"];

const report = (ms: number) =>
  Buffer.from(`START\nREPORT RequestId: x Duration: 1100.12 ms Billed Duration: ${ms} ms`).toString("base64");

describe("LambdaManager", () => {
  it("invokes small inputs synchronously (RequestResponse) with the job's spec as the event", async () => {
    lambdaMock.on(InvokeCommand).callsFake(async (input: InvokeCommandInput) => ({
      StatusCode: 200,
      LogResult: report(1200),
      Payload: Buffer.from(JSON.stringify(await runFunction(input))),
    }));
    const r = request();
    const result = await manager().invokePrediction(r);
    const calls = lambdaMock.commandCalls(InvokeCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0].args[0].input;
    const spec = JSON.parse(
      Buffer.from(await world.storage.readBytes(world.storage.jobUri(r.jobId, "spec.json"))).toString(),
    );
    expect({ ...input, Payload: JSON.parse(Buffer.from(input.Payload as Uint8Array).toString()) }).toEqual({
      FunctionName: FUNCTION,
      InvocationType: "RequestResponse",
      LogType: "Tail",
      Payload: spec,
    });
    // The model and the data are staged in the job's folder; the model is signed with a job key, and the
    // function never sees the bot's own key.
    expect(spec).toMatchObject({
      kind: "predict",
      jobId: r.jobId,
      modelUri: `${world.storage.jobUri(r.jobId, "model")}/`,
      modelId: "m-iris-lambda",
      dataUri: world.storage.jobUri(r.jobId, "input.csv"),
      outputUri: r.outputUri,
      jobKey: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(JSON.stringify(spec)).not.toContain(SIGNING_KEY);
    expect(result).toMatchObject({ success: true, outputUri: r.outputUri, numPredictions: 150 });
    // Billed duration × memory × the GB-second price, plus the request.
    expect(result.cost).toBeCloseTo(LAMBDA_REQUEST_PRICE + LAMBDA_GB_SECOND_PRICE * (3008 / 1024) * 1.2, 12);
    expect(await world.storage.exists(r.outputUri)).toBe(true);
  });

  it("invokes large inputs as an Event and tracks them through the job's status object", async () => {
    let running: Promise<unknown> | undefined;
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    lambdaMock.on(InvokeCommand).callsFake(async (input: InvokeCommandInput) => {
      // The function runs once the test has looked at the job before it (not after a fixed pause).
      running = released.then(() => runFunction(input));
      return { StatusCode: 202 };
    });
    const r = request({ nRows: 25_000, dataSizeBytes: 1_000_000 });
    const m = manager();
    expect(await m.invokeAsync(r)).toBe(r.jobId);
    const input = lambdaMock.commandCalls(InvokeCommand)[0].args[0].input;
    expect(Object.keys(input).sort()).toEqual(["FunctionName", "InvocationType", "Payload"]);
    expect(input).toMatchObject({ FunctionName: FUNCTION, InvocationType: "Event" });
    expect((await m.checkJobStatus(r.jobId)).status).toMatch(/pending|running/);
    release();
    await running;
    const status = await m.checkJobStatus(r.jobId);
    expect(status).toMatchObject({ status: "complete", progress: 100, result: { numPredictions: 150 } });
    expect(await m.invokeAsync(r)).toBe(r.jobId); // already invoked: not again
    expect(lambdaMock.commandCalls(InvokeCommand)).toHaveLength(1);
  });

  it("chooses Event when the size is unknown or past 6 MB", async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 });
    const m = manager();
    await m.invokeAsync(request({ nRows: undefined, dataSizeBytes: undefined }));
    await m.invokeAsync(request({ nRows: 100, dataSizeBytes: 7 * 1024 * 1024 }));
    expect(lambdaMock.commandCalls(InvokeCommand).map((c) => c.args[0].input.InvocationType)).toEqual([
      "Event",
      "Event",
    ]);
  });

  it("maps the function's own timeout to LambdaTimeoutError 4001 and records it", async () => {
    lambdaMock.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: "Unhandled",
      Payload: payloadOf({
        errorType: "Sandbox.Timedout",
        errorMessage: "Task timed out after 900.00 seconds",
      }),
    });
    const r = request();
    const error = await manager()
      .invokePrediction(r)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LambdaTimeoutError);
    expect((error as LambdaTimeoutError).code).toBe(4001);
    const status = await manager().checkJobStatus(r.jobId);
    expect(status).toMatchObject({ status: "failed", error: { error_code: 4001 } });
  });

  it("declares a silent async job timed out once the function's limit has passed", async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 202 });
    const r = request({ nRows: 50_000 });
    let now = new Date();
    const m = manager(() => now);
    await m.invokeAsync(r);
    expect((await m.checkJobStatus(r.jobId)).status).toBe("pending");
    now = new Date(now.getTime() + 931_000);
    expect(await m.checkJobStatus(r.jobId)).toMatchObject({
      status: "failed",
      error: { error_class: "LambdaTimeoutError" },
    });
  });

  it("updateFunctionCode uploads the zip and waits until the update is live", async () => {
    const dir = await mkdtemp(join(tmpdir(), "sma-zip-"));
    const zipPath = join(dir, "lambda.zip");
    const zip = Buffer.from("PK\u0003\u0004 fake zip");
    await writeFile(zipPath, zip);
    lambdaMock
      .on(
        UpdateFunctionCodeCommand,
        { FunctionName: FUNCTION, ZipFile: new Uint8Array(zip), Publish: true },
        true,
      )
      .resolves({});
    lambdaMock
      .on(GetFunctionConfigurationCommand, { FunctionName: FUNCTION }, true)
      .resolvesOnce({ LastUpdateStatus: "InProgress" })
      .resolves({ LastUpdateStatus: "Successful" });
    await manager().updateFunctionCode(zipPath);
    expect(lambdaMock.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(1);
    expect(lambdaMock.commandCalls(GetFunctionConfigurationCommand)).toHaveLength(2);
    await rm(dir, { recursive: true, force: true });
  });
});
