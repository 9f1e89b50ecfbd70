import { describe, expect, it } from "vitest";
import {
  AppError,
  BudgetExceededError,
  ERROR_TABLE,
  errorFromResponse,
  InvalidTransitionError,
  PodCreationTimeoutError,
  SchemaMismatchError,
  toErrorResponse,
} from "../../src/errors.js";

describe("errors", () => {
  it("has the seed's whole table with its codes", () => {
    const byCode = new Map(ERROR_TABLE.map((e) => [e.code, e.errorClass]));
    expect(
      Object.fromEntries(
        [
          1000, 1001, 1002, 2000, 2001, 2002, 2003, 3000, 3001, 3002, 3003, 3004, 4000, 4001, 4002, 5000,
          5001,
        ].map((c) => [c, byCode.get(c)]),
      ),
    ).toEqual({
      1000: "CloudConfigurationError",
      1001: "MissingCredentialError",
      1002: "InvalidCredentialError",
      2000: "CloudStorageError",
      2001: "UploadError",
      2002: "DownloadError",
      2003: "BucketNotFoundError",
      3000: "CloudTrainingError",
      3001: "PodCreationTimeoutError",
      3002: "InstanceLaunchError",
      3003: "SpotInterruptionError",
      3004: "BudgetExceededError",
      4000: "CloudPredictionError",
      4001: "LambdaTimeoutError",
      4002: "SchemaMismatchError",
      5000: "StateManagementError",
      5001: "InvalidTransitionError",
    });
    expect(new Set(ERROR_TABLE.map((e) => e.code)).size).toBe(ERROR_TABLE.length);
  });

  it("serializes to the seed's response format", () => {
    const error = new PodCreationTimeoutError("RunPod did not allocate GPU within 5 minutes", {
      provider: "runpod",
      gpu_type: "NVIDIA RTX A5000",
      timeout_seconds: 300,
    });
    const json = error.toJSON();
    expect(json).toEqual({
      error_code: 3001,
      error_class: "PodCreationTimeoutError",
      message: "RunPod did not allocate GPU within 5 minutes",
      details: { provider: "runpod", gpu_type: "NVIDIA RTX A5000", timeout_seconds: 300 },
      recovery_suggestion: "Retry with a different GPU type or another provider.",
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(error).toBeInstanceOf(AppError);
  });

  it("round-trips across a process boundary as the same class", () => {
    const original = new SchemaMismatchError("missing: age", { missing: ["age"] });
    const rebuilt = errorFromResponse(JSON.parse(JSON.stringify(original)));
    expect(rebuilt).toBeInstanceOf(SchemaMismatchError);
    expect(rebuilt.code).toBe(4002);
    expect(rebuilt.details).toEqual({ missing: ["age"] });
    expect(errorFromResponse({ ...original.toJSON(), error_class: "Nope" })).toBeInstanceOf(AppError);
  });

  it("keeps internals of unknown errors out of responses", () => {
    const response = toErrorResponse(new Error("ECONNREFUSED 10.0.0.1:6379 password=hunter2"));
    expect(response.message).not.toMatch(/hunter2|ECONNREFUSED/);
    expect(response.error_class).toBe("AppError");
    expect(toErrorResponse(new BudgetExceededError("over", { limit: 10 })).error_code).toBe(3004);
    expect(new InvalidTransitionError("x").recoverySuggestion).toMatch(/cancel/);
  });
});
