import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mayPay } from "../../src/compute.js";
import { ENV_VARIABLES, loadConfig, SECRET_VARIABLES } from "../../src/config.js";
import { CloudConfigurationError } from "../../src/errors.js";

const TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ0123";

describe("config", () => {
  it("runs on embedded defaults with an empty environment", () => {
    const config = loadConfig({});
    expect(config.telegram.token).toBeUndefined();
    expect(config.telegram.apiRoot).toBe("https://api.telegram.org");
    expect(config.telegram.maxDownloadBytes).toBe(20 * 1024 * 1024);
    expect(config.redis.url).toBeUndefined();
    expect(config.limits.maxColumns).toBe(1000);
    expect(config.budget).toMatchObject({ maxTrainingCost: 10, maxPredictionCost: 1 });
  });

  it("parses lists, numbers and a self-hosted Bot API root", () => {
    const config = loadConfig({
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: "http://127.0.0.1:8081",
      ALLOWED_USER_IDS: "12, 34 56",
      MAX_UPLOAD_MB: "50",
      REDIS_URL: "redis://127.0.0.1:6379/2",
    });
    expect(config.telegram.allowedUserIds).toEqual([12, 34, 56]);
    expect(config.limits.maxUploadBytes).toBe(50 * 1024 * 1024);
    expect(config.telegram.maxDownloadBytes).toBeGreaterThan(1024 * 1024 * 1024);
    expect(config.redis.url).toBe("redis://127.0.0.1:6379/2");
  });

  it("keeps paid compute for named users: PAID_USER_IDS, else ALLOWED_USER_IDS, else nobody but admins", () => {
    const open = loadConfig({ ADMIN_USER_IDS: "9" });
    expect([mayPay(open, 1), mayPay(open, 9)]).toEqual([false, true]);
    expect(open.budget.monthlyTotal).toBe(200);
    const optIn = loadConfig({ PAID_COMPUTE_FOR_EVERYONE: "1" });
    expect(mayPay(optIn, 1)).toBe(true);
    const allowed = loadConfig({ ALLOWED_USER_IDS: "1,2" });
    expect([mayPay(allowed, 1), mayPay(allowed, 3)]).toEqual([true, false]);
    const paid = loadConfig({ ALLOWED_USER_IDS: "1,2", PAID_USER_IDS: "2", MONTHLY_BUDGET_TOTAL: "75" });
    expect([mayPay(paid, 1), mayPay(paid, 2)]).toEqual([false, true]);
    expect(paid.budget.monthlyTotal).toBe(75);
  });

  it("reads the upload sandbox's limits", () => {
    const config = loadConfig({
      INGEST_MEMORY_MB: "512",
      INGEST_TIMEOUT_SECONDS: "30",
      MAX_CELLS: "1000000",
    });
    expect(config.ingest).toEqual({ memoryMb: 512, timeoutSeconds: 30, maxConcurrent: 2 });
    expect(config.limits.maxCells).toBe(1_000_000);
    expect(config.limits.maxUnpackedBytes).toBe(200 * 1024 * 1024);
    expect(() => loadConfig({ INGEST_MEMORY_MB: "16" })).toThrow(/INGEST_MEMORY_MB/);
  });

  it("names every bad variable and says what is expected", () => {
    let error: unknown;
    try {
      loadConfig({
        ALLOWED_USER_IDS: "12,abc",
        MAX_UPLOAD_MB: "-3",
        TELEGRAM_API_ROOT: "https://api.telegram.org/",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CloudConfigurationError);
    const message = (error as Error).message;
    expect(message).toMatch(/ALLOWED_USER_IDS: expected comma-separated numeric Telegram user ids/);
    expect(message).toMatch(/MAX_UPLOAD_MB:/);
    expect(message).toMatch(/TELEGRAM_API_ROOT: must not end with '\/'/);
    expect((error as CloudConfigurationError).details.variables).toEqual(
      expect.arrayContaining(["ALLOWED_USER_IDS", "MAX_UPLOAD_MB", "TELEGRAM_API_ROOT"]),
    );
  });

  it("never repeats a secret's value in its error", () => {
    const badSecrets = {
      BOT_TOKEN: "not-a-token-but-a-secret-value-9f8e7d",
      MODEL_SIGNING_KEY: "short-secret-4c3b2a",
    };
    let message = "";
    try {
      loadConfig(badSecrets);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/BOT_TOKEN/);
    expect(message).toMatch(/MODEL_SIGNING_KEY: must be at least 32 characters/);
    for (const value of Object.values(badSecrets)) expect(message).not.toContain(value);
    expect(SECRET_VARIABLES).toContain("RUNPOD_API_KEY");
  });
});

describe(".env.example", () => {
  it("lists every variable the bot reads, and nothing it does not read", () => {
    const text = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    const listed = [...text.matchAll(/^(?:#\s*)?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(ENV_VARIABLES.filter((v) => !listed.includes(v))).toEqual([]);
    expect(listed.filter((v) => !ENV_VARIABLES.includes(v))).toEqual([]);
  });
});
