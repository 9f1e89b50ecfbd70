/** Signed model files: round trip, and refusal of anything unsigned, tampered or signed with another key. */

import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { jobSigningKey } from "../../src/cloud/job-keys.js";
import { ModelError, ModelIntegrityError } from "../../src/errors.js";
import { decodeTyped, encodeTyped } from "../../src/ml/artifact/typed-json.js";
import {
  deserializeModel,
  predictFrame,
  resignModel,
  serializeModel,
  trainModel,
} from "../../src/ml/index.js";
import type { ModelMetadata, TrainResult } from "../../src/ml/types.js";
import { loadFixture } from "./helpers/fixtures.js";

const KEY = "k".repeat(40);

function metadataOf(r: TrainResult): ModelMetadata {
  return {
    modelId: "m1",
    name: "test model",
    modelType: r.model.modelType,
    taskType: r.model.task,
    target: r.model.target,
    features: r.model.features.map((f) => f.name),
    trainedAt: "2026-01-01T00:00:00.000Z",
    metrics: r.metrics,
    trainedOn: "local",
  };
}

async function trained() {
  const frame = await loadFixture("penguins");
  const r = trainModel(frame, {
    modelType: "logistic",
    task: "classification",
    target: "Species",
    features: [],
  });
  return { frame, r, files: serializeModel(r.model, metadataOf(r), KEY) };
}

describe("serializeModel / deserializeModel", () => {
  it("writes model.json, metadata.json and signature.json, and round-trips to identical predictions", async () => {
    const { frame, r, files } = await trained();
    expect(Object.keys(files).sort()).toEqual(["metadata.json", "model.json", "signature.json"]);
    const meta = JSON.parse(new TextDecoder().decode(files["metadata.json"]));
    expect(meta).toMatchObject({ modelId: "m1", modelType: "logistic", taskType: "classification" });
    const { model, metadata } = deserializeModel(files, KEY);
    expect(metadata.name).toBe("test model");
    const before = predictFrame(r.model, frame, { probabilities: true });
    const after = predictFrame(model, frame, { probabilities: true });
    expect(after.predictions).toEqual(before.predictions);
    expect(after.probabilities).toEqual(before.probabilities);
  });

  it("moves large arrays to a binary sidecar and restores them bit for bit (NaN, ±Infinity, −0 included)", () => {
    const big = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 1e6);
    big[1] = Number.NaN;
    big[2] = Number.POSITIVE_INFINITY;
    big[3] = -0;
    const small = Float64Array.from([1.5, Number.NaN, Number.NEGATIVE_INFINITY]);
    const codes = Int32Array.from({ length: 3000 }, (_, i) => i - 1500);
    const { json, sidecar } = encodeTyped({ a: { big, small }, codes, n: 3 });
    expect(sidecar?.length).toBeGreaterThanOrEqual(5000 * 8 + 3000 * 4);
    const text = JSON.stringify(json);
    const back = decodeTyped(JSON.parse(text), sidecar) as {
      a: { big: Float64Array; small: Float64Array };
      codes: Int32Array;
      n: number;
    };
    expect(back.a.big).toEqual(big);
    expect(Object.is(back.a.big[3], -0)).toBe(true);
    expect(Array.from(back.a.small)).toEqual([1.5, Number.NaN, Number.NEGATIVE_INFINITY]);
    expect(back.codes).toEqual(codes);
    expect(back.n).toBe(3);
    expect(() => decodeTyped(JSON.parse(text), sidecar?.subarray(0, 100) ?? null)).toThrow(
      ModelIntegrityError,
    );
  });

  it("signs the sidecar too: a model with one refuses a changed byte", async () => {
    const frame = await loadFixture("diabetes");
    const r = trainModel(frame, {
      modelType: "linear",
      task: "regression",
      target: "progression",
      features: [],
    });
    const files = serializeModel(
      { ...r.model, fitted: { ...(r.model.fitted as object), pad: new Float64Array(5000) } },
      metadataOf(r),
      KEY,
    );
    expect(files["model.bin"]).toBeInstanceOf(Uint8Array);
    expect(deserializeModel(files, KEY).model.fitted).toMatchObject({ pad: new Float64Array(5000) });
    const bin = files["model.bin"].slice();
    bin[10] ^= 1;
    expect(() => deserializeModel({ ...files, "model.bin": bin }, KEY)).toThrow(/model.bin was changed/);
  });

  it("puts a forest's trees in the sidecar; predictions are identical after loading", async () => {
    const frame = await loadFixture("breast_cancer");
    const r = trainModel(frame, {
      modelType: "random_forest",
      task: "classification",
      target: "diagnosis",
      features: [],
    });
    const files = serializeModel(r.model, metadataOf(r), KEY);
    expect(files["model.bin"].length).toBeGreaterThan(files["model.json"].length);
    const { model } = deserializeModel(files, KEY);
    expect(predictFrame(model, frame, { probabilities: true })).toEqual(
      predictFrame(r.model, frame, { probabilities: true }),
    );
  });

  it("refuses an unsigned artifact", async () => {
    const { files } = await trained();
    const { "signature.json": _, ...unsigned } = files;
    expect(() => deserializeModel(unsigned, KEY)).toThrow(ModelIntegrityError);
    expect(() => deserializeModel(unsigned, KEY)).toThrow(/not signed/);
  });

  it("refuses a tampered model.json, metadata.json or signature", async () => {
    const { files } = await trained();
    const text = new TextDecoder().decode(files["model.json"]).replace('"C":1', '"C":2');
    expect(() => deserializeModel({ ...files, "model.json": new TextEncoder().encode(text) }, KEY)).toThrow(
      /model.json was changed/,
    );
    const meta = new TextEncoder().encode('{"modelId":"evil"}');
    expect(() => deserializeModel({ ...files, "metadata.json": meta }, KEY)).toThrow(ModelIntegrityError);
    const sig = JSON.parse(new TextDecoder().decode(files["signature.json"]));
    sig.files["model.json"] = "0".repeat(64);
    const forged = new TextEncoder().encode(JSON.stringify(sig));
    expect(() => deserializeModel({ ...files, "signature.json": forged }, KEY)).toThrow(
      /signature does not match/,
    );
  });

  it("refuses an artifact signed with another key, and any use without a key", async () => {
    const { files } = await trained();
    expect(() => deserializeModel(files, "x".repeat(40))).toThrow(ModelIntegrityError);
    expect(() => deserializeModel(files, "")).toThrow(/No model signing key/);
  });

  it("refuses a correctly signed file of an unknown format version", async () => {
    const { r } = await trained();
    const files = serializeModel({ ...r.model, version: 99 }, metadataOf(r), KEY);
    expect(() => deserializeModel(files, KEY)).toThrow(ModelError);
    expect(() => deserializeModel(files, KEY)).toThrow(/version 99/);
  });
});

describe("signatures bind the owner (user id and model id)", () => {
  const OWNER = { userId: 41, modelId: "m-41-a" };

  it("loads for its owner, and refuses a copy under another user's prefix or another model id", async () => {
    const { r } = await trained();
    const files = serializeModel(r.model, metadataOf(r), KEY, OWNER);
    expect(deserializeModel(files, KEY, OWNER).model.modelType).toBe("logistic");
    expect(() => deserializeModel(files, KEY, { ...OWNER, userId: 42 })).toThrow(
      /another user or another model/,
    );
    expect(() => deserializeModel(files, KEY, { ...OWNER, modelId: "m-41-b" })).toThrow(ModelIntegrityError);
  });

  it("refuses an owner rewritten in signature.json: the HMAC covers it", async () => {
    const { r } = await trained();
    const files = serializeModel(r.model, metadataOf(r), KEY, OWNER);
    const sig = JSON.parse(new TextDecoder().decode(files["signature.json"]));
    sig.owner = { userId: 42, modelId: OWNER.modelId };
    const moved = { ...files, "signature.json": new TextEncoder().encode(JSON.stringify(sig)) };
    expect(() => deserializeModel(moved, KEY, { userId: 42, modelId: OWNER.modelId })).toThrow(
      /signature does not match/,
    );
  });

  it("refuses a version-1 signature, which bound no owner", async () => {
    const { files } = await trained();
    const sig = JSON.parse(new TextDecoder().decode(files["signature.json"]));
    const canonical = Object.keys(sig.files)
      .sort()
      .map((name) => `${name}:${sig.files[name]}\n`)
      .join("");
    const legacy = {
      algorithm: "HMAC-SHA256",
      files: sig.files,
      hmac: createHmac("sha256", KEY).update(canonical).digest("hex"),
    };
    const old = { ...files, "signature.json": new TextEncoder().encode(JSON.stringify(legacy)) };
    expect(() => deserializeModel(old, KEY)).toThrow(/older version of the bot/);
  });

  it("re-signs a model made with a job key: only the bot's key opens the result, for the same owner", async () => {
    const { r } = await trained();
    const jobKey = jobSigningKey(KEY, { jobId: "job-abc123", ...OWNER });
    const fromWorker = serializeModel(r.model, metadataOf(r), jobKey, OWNER);
    expect(() => deserializeModel(fromWorker, KEY, OWNER)).toThrow(/signature does not match/);
    const stored = resignModel(fromWorker, { fromKey: jobKey, toKey: KEY }, OWNER);
    expect(deserializeModel(stored, KEY, OWNER).model.modelType).toBe("logistic");
    expect(stored["model.json"]).toBe(fromWorker["model.json"]);
    // A worker cannot have its model taken in for another owner, nor with another job's key.
    expect(() => resignModel(fromWorker, { fromKey: jobKey, toKey: KEY }, { ...OWNER, userId: 7 })).toThrow(
      ModelIntegrityError,
    );
    const otherJob = jobSigningKey(KEY, { jobId: "job-other1", ...OWNER });
    expect(() => resignModel(fromWorker, { fromKey: otherJob, toKey: KEY }, OWNER)).toThrow(
      /signature does not match/,
    );
  });
});

describe("jobSigningKey", () => {
  it("is 32 bytes of hex, stable for a scope and different for any other job, user or model", () => {
    const scope = { jobId: "job-abc123", userId: 5, modelId: "m-1" };
    const key = jobSigningKey(KEY, scope);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(jobSigningKey(KEY, { ...scope })).toBe(key);
    expect(jobSigningKey(KEY, { ...scope, jobId: "job-abc124" })).not.toBe(key);
    expect(jobSigningKey(KEY, { ...scope, userId: 6 })).not.toBe(key);
    expect(jobSigningKey(KEY, { ...scope, modelId: "m-2" })).not.toBe(key);
    expect(jobSigningKey("j".repeat(40), scope)).not.toBe(key);
    expect(key).not.toContain(Buffer.from(KEY).toString("hex"));
  });
});
