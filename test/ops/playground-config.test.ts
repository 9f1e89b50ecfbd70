/**
 * What the bot runs with in the playground: the emulator's token, API root and 20 MB download limit; the
 * embedded store and local compute unless PLAYGROUND=1; a signing key generated once, private, and reused.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { CloudConfigurationError } from "../../src/errors.js";
import { type Playground, startPlayground } from "../../src/playground/index.js";
import { loadOrCreateSigningKey, playgroundConfig } from "../../src/playground/launch.js";

const CONFIGURED = {
  REDIS_URL: "redis://10.0.0.5:6379/0",
  AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE00",
  AWS_SECRET_ACCESS_KEY: "aws-secret-example-aws-secret-example-1234",
  RUNPOD_API_KEY: "runpod-key-example",
  TELEGRAM_API_ROOT: "http://127.0.0.1:8081",
};

describe("playgroundConfig", () => {
  let playground: Playground;
  beforeAll(async () => {
    playground = await startPlayground({ port: 0 });
  });
  afterAll(() => playground.close());

  it("points the bot at the emulator with its 20 MB limit, embedded store and local compute only", () => {
    const config = loadConfig(CONFIGURED);
    // A self-hosted API root allows 2 GB downloads; the emulator does not.
    expect(config.telegram.maxDownloadBytes).toBeGreaterThan(20 * 1024 * 1024);
    const inside = playgroundConfig(config, playground, "k".repeat(64));
    expect(inside.telegram).toMatchObject({
      token: playground.token,
      apiRoot: playground.apiRoot,
      maxDownloadBytes: 20 * 1024 * 1024,
      webhookUrl: undefined,
    });
    expect(inside.modelSigningKey).toBe("k".repeat(64));
    expect(inside.redis.url).toBeUndefined();
    expect(inside.aws.accessKeyId).toBeUndefined();
    expect(inside.aws.secretAccessKey).toBeUndefined();
    expect(inside.runpod.apiKey).toBeUndefined();
  });

  it("keeps the configured Redis and cloud accounts with PLAYGROUND=1", () => {
    const config = loadConfig({ ...CONFIGURED, PLAYGROUND: "1", WEBHOOK_URL: "https://example.com/hook" });
    const inside = playgroundConfig(config, playground, "k".repeat(64));
    expect(inside.redis.url).toBe(CONFIGURED.REDIS_URL);
    expect(inside.aws.accessKeyId).toBe(CONFIGURED.AWS_ACCESS_KEY_ID);
    expect(inside.runpod.apiKey).toBe(CONFIGURED.RUNPOD_API_KEY);
    // Updates still come from the emulator, by polling.
    expect(inside.telegram.webhookUrl).toBeUndefined();
    expect(inside.telegram.apiRoot).toBe(playground.apiRoot);
  });
});

describe("loadOrCreateSigningKey", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "sma-signing-key-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("creates a private random key once and returns the same key afterwards", () => {
    const path = join(dir, "nested", "key");
    const key = loadOrCreateSigningKey(path);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(loadOrCreateSigningKey(path)).toBe(key);
    expect(loadOrCreateSigningKey(join(dir, "other"))).not.toBe(key);
  });

  it("makes a key file readable by others private again", () => {
    const path = join(dir, "loose");
    writeFileSync(path, `${"a".repeat(40)}\n`);
    chmodSync(path, 0o644);
    expect(loadOrCreateSigningKey(path)).toBe("a".repeat(40));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, "utf8").trim()).toBe("a".repeat(40));
  });

  it("refuses a key that is too short", () => {
    const path = join(dir, "short");
    writeFileSync(path, "short\n", { mode: 0o600 });
    expect(() => loadOrCreateSigningKey(path)).toThrow(CloudConfigurationError);
  });
});
