/** src/cloud/retry.ts: the classification and the deadline, on a simulated clock (no real sleeps). */
import { S3ServiceException } from "@aws-sdk/client-s3";
import { describe, expect, it } from "vitest";
import { type Clock, classifyError, transientDetails, withRetry } from "../../../src/cloud/retry.js";
import { AppError, InvalidCredentialError, ObjectNotFoundError } from "../../../src/errors.js";

function simulatedClock(): Clock & { sleeps: number[] } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    async sleep(ms) {
      sleeps.push(ms);
      now += ms;
    },
  };
}

const sdkError = (name: string, status: number) =>
  new S3ServiceException({
    name,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status },
  });

describe("classifyError", () => {
  it.each([
    ["a transient AppError", new AppError("blip", transientDetails()), "retry"],
    ["an AppError with Retry-After", new AppError("slow down", transientDetails(3)), "wait"],
    ["a plain AppError", new AppError("bad input"), "stop"],
    ["invalid credentials", new InvalidCredentialError("no"), "stop"],
    ["not found", new ObjectNotFoundError("gone"), "stop"],
    ["an SDK 503", sdkError("ServiceUnavailable", 503), "retry"],
    ["an SDK 429", sdkError("TooManyRequests", 429), "retry"],
    ["an SDK 403", sdkError("AccessDenied", 403), "stop"],
    [
      "connection refused",
      Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }),
      "retry",
    ],
    ["a reset socket", Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }), "retry"],
    ["an abort", Object.assign(new Error("aborted"), { name: "AbortError" }), "stop"],
    ["a programming error", new TypeError("x is not a function"), "stop"],
    ["a string", "boom", "stop"],
  ])("%s → %s", (_, error, action) => {
    expect(classifyError(error).action).toBe(action);
  });

  it("turns Retry-After seconds into a wait in milliseconds", () => {
    expect(classifyError(new AppError("429", transientDetails(2)))).toEqual({ action: "wait", waitMs: 2000 });
  });
});

describe("withRetry", () => {
  it("retries transient failures with growing, capped delays, then succeeds", async () => {
    const clock = simulatedClock();
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 5) throw new AppError("blip", transientDetails());
        return "ok";
      },
      { deadlineMs: 60_000, initialDelayMs: 100, maxDelayMs: 500, clock, random: () => 0.999 },
    );
    expect(result).toBe("ok");
    expect(calls).toBe(5);
    expect(clock.sleeps).toEqual([99, 199, 399, 499]);
  });

  it("gives up at the deadline, never sleeping past it", async () => {
    const clock = simulatedClock();
    const start = clock.now();
    const failure = new AppError("still down", transientDetails());
    let calls = 0;
    const outcome = withRetry(
      async () => {
        calls++;
        throw failure;
      },
      { deadlineMs: 2_000, initialDelayMs: 100, maxDelayMs: 400, clock, random: () => 0.999 },
    );
    await expect(outcome).rejects.toBe(failure);
    expect(clock.now() - start).toBeLessThan(2_000);
    expect(calls).toBeGreaterThan(3);
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBeLessThan(2_000);
  });

  it("honours Retry-After, and gives up when the wait would end past the deadline", async () => {
    const clock = simulatedClock();
    let calls = 0;
    const outcome = withRetry(
      async () => {
        calls++;
        throw new AppError("429", transientDetails(3));
      },
      { deadlineMs: 7_000, clock },
    );
    await expect(outcome).rejects.toThrow("429");
    expect(clock.sleeps).toEqual([3000, 3000]);
    expect(calls).toBe(3);
  });

  it("rethrows a non-retryable error at once", async () => {
    const clock = simulatedClock();
    let calls = 0;
    const outcome = withRetry(
      async () => {
        calls++;
        throw new InvalidCredentialError("bad key");
      },
      { deadlineMs: 60_000, clock },
    );
    await expect(outcome).rejects.toThrow(InvalidCredentialError);
    expect(calls).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("stops after maxAttempts and passes the attempt number and the time left", async () => {
    const clock = simulatedClock();
    const seen: Array<[number, number]> = [];
    const outcome = withRetry(
      async (attempt, remainingMs) => {
        seen.push([attempt, remainingMs]);
        throw new AppError("blip", transientDetails());
      },
      { deadlineMs: 10_000, maxAttempts: 3, initialDelayMs: 1000, clock, random: () => 0.5 },
    );
    await expect(outcome).rejects.toThrow("blip");
    expect(seen).toEqual([
      [1, 10_000],
      [2, 9_500],
      [3, 8_500],
    ]);
  });

  it("stops when the caller aborts", async () => {
    const controller = new AbortController();
    let calls = 0;
    const outcome = withRetry(
      async () => {
        calls++;
        controller.abort();
        throw new AppError("blip", transientDetails());
      },
      { deadlineMs: 60_000, signal: controller.signal, clock: simulatedClock() },
    );
    await expect(outcome).rejects.toThrow("blip");
    expect(calls).toBe(1);
  });
});
