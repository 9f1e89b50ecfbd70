import { describe, expect, it } from "vitest";
import {
  assertUserKey,
  checkKey,
  datasetFormatOf,
  datasetKey,
  generateDatasetId,
  generateModelId,
  jobKey,
  modelFileKey,
  modelPrefix,
  resultKey,
  StorageUriCodec,
  sanitizeDisplayName,
  sanitizeFileName,
  schemeOf,
} from "../../../src/cloud/storage-layout.js";
import { StoragePermissionError } from "../../../src/errors.js";

describe("key layout (DESIGN.md: Storage layout and URIs)", () => {
  it("builds the four key families", () => {
    expect(datasetKey(7, "ds-1", "csv")).toBe("datasets/user_7/ds-1.csv");
    expect(modelPrefix(7)).toBe("models/user_7/");
    expect(modelPrefix(7, "m-1")).toBe("models/user_7/m-1/");
    expect(modelFileKey(7, "m-1", "charts/roc.png")).toBe("models/user_7/m-1/charts/roc.png");
    expect(resultKey(7, "job-abcdef")).toBe("results/user_7/job-abcdef/predictions.csv");
    expect(jobKey("job-abcdef", "progress.json")).toBe("jobs/job-abcdef/progress.json");
  });

  it.each([0, -1, 1.5, Number.NaN, 2 ** 60])("refuses user id %s", (userId) => {
    expect(() => datasetKey(userId, "ds-1", "csv")).toThrow(StoragePermissionError);
  });

  it.each(["../x", "a/b", "", "x".repeat(81), "ds 1", "ds\u0000"])("refuses dataset/model id %j", (id) => {
    expect(() => datasetKey(1, id, "csv")).toThrow(StoragePermissionError);
    expect(() => modelPrefix(1, id)).toThrow(StoragePermissionError);
  });

  it("refuses job ids that the job spec would refuse", () => {
    expect(() => jobKey("../jobs", "spec.json")).toThrow(StoragePermissionError);
    expect(() => jobKey("ABCDEFG", "spec.json")).toThrow(StoragePermissionError);
  });

  it("generates ids that fit the layout and differ", () => {
    const a = generateDatasetId(new Date("2026-01-02T03:04:05Z"));
    expect(a).toMatch(/^ds-20260102030405-[0-9a-f]{8}$/);
    expect(generateDatasetId()).not.toBe(generateDatasetId());
    expect(generateModelId("random_forest")).toMatch(/^m-\d{14}-random_forest-[0-9a-f]{8}$/);
    expect(generateModelId("../evil")).toMatch(/^m-\d{14}-[0-9a-f]{8}$/);
  });

  it("detects dataset formats by extension only", () => {
    expect(datasetFormatOf("Sales.CSV")).toBe("csv");
    expect(datasetFormatOf("a.parquet")).toBe("parquet");
    expect(datasetFormatOf("a.txt")).toBe("csv"); // Excel's "Unicode Text" export
    expect(datasetFormatOf("a.dat")).toBeUndefined();
    expect(datasetFormatOf("csv")).toBeUndefined();
  });
});

describe("key allowlist", () => {
  const unsafe = [
    "datasets/user_1/../user_2/x.csv",
    "datasets/user_1/./x.csv",
    "datasets/user_1/%2e%2e/user_2/x.csv",
    "datasets/user_1/%252e%252e/user_2/x.csv",
    "datasets/user_1/..%2fuser_2/x.csv",
    "datasets\\user_1\\x.csv",
    "datasets//user_1/x.csv",
    "/datasets/user_1/x.csv",
    "datasets/user_1/x.csv/",
    "datasets/user_1/x.csv\u0000.png",
    "datasets/user_1/\uff0e\uff0e/x.csv",
    "datasets/user_1/.hidden",
    "datasets/user_1/a b.csv",
    "",
  ];
  it.each(unsafe)("refuses %j", (key) => {
    expect(() => checkKey(key)).toThrow(StoragePermissionError);
  });

  it("accepts the layout's own keys", () => {
    expect(checkKey("models/user_1/m-1/charts/feature_importance.png")).toBe(
      "models/user_1/m-1/charts/feature_importance.png",
    );
  });

  it("matches the user segment exactly (user_1 is not a prefix of user_12)", () => {
    expect(assertUserKey("datasets/user_1/x.csv", 1)).toBe("datasets/user_1/x.csv");
    for (const key of [
      "datasets/user_12/x.csv",
      "datasets/user_01/x.csv",
      "datasets/user_1x/x.csv",
      "datasets/user_1",
      "jobs/user_1/x.json",
      "other/user_1/x.csv",
    ]) {
      expect(() => assertUserKey(key, 1), key).toThrow(StoragePermissionError);
    }
  });
});

describe("StorageUriCodec", () => {
  it("formats and parses s3, runpod and file URIs", () => {
    const s3 = new StorageUriCodec("s3", "bkt");
    expect(s3.format("jobs/job-abcdef/spec.json")).toBe("s3://bkt/jobs/job-abcdef/spec.json");
    expect(s3.parse("s3://bkt/datasets/user_3/d.csv", { userId: 3 })).toBe("datasets/user_3/d.csv");
    const runpod = new StorageUriCodec("runpod", "v3zskt9gvb");
    expect(runpod.format("models/user_3/m/model.json")).toBe(
      "runpod://v3zskt9gvb/models/user_3/m/model.json",
    );
    const local = new StorageUriCodec("file", "/srv/data dir");
    expect(local.format("datasets/user_3/d.csv")).toBe("file:///srv/data%20dir/datasets/user_3/d.csv");
    expect(local.parse("file:///srv/data%20dir/datasets/user_3/d.csv", { userId: 3 })).toBe(
      "datasets/user_3/d.csv",
    );
    expect(local.formatDirectory("models/user_3/m/")).toBe("file:///srv/data%20dir/models/user_3/m/");
  });

  it.each([
    ["s3", "bkt", "s3://bkt2/datasets/user_1/x.csv"],
    ["s3", "bkt", "s3://other/datasets/user_1/x.csv"],
    ["s3", "bkt", "S3://bkt/datasets/user_1/x.csv"],
    ["s3", "bkt", "runpod://bkt/datasets/user_1/x.csv"],
    ["s3", "bkt", "s3://bkt//datasets/user_1/x.csv"],
    ["runpod", "vol1", "runpod://vol2/datasets/user_1/x.csv"],
    ["file", "/srv/data", "file:///srv/data2/datasets/user_1/x.csv"],
    ["file", "/srv/data", "file:///srv/datasets/user_1/x.csv"],
    ["file", "/srv/data", "file:///srv/data/../data/datasets/user_1/x.csv"],
    ["file", "/srv/data", "file://localhost/srv/data/datasets/user_1/x.csv"],
    ["file", "/srv/data", "/srv/data/datasets/user_1/x.csv"],
  ] as const)("%s:%s refuses %j", (scheme, container, uri) => {
    expect(() => new StorageUriCodec(scheme, container).parse(uri, { userId: 1 })).toThrow(
      StoragePermissionError,
    );
  });

  it("without a scope accepts the job channel, with one refuses it", () => {
    const s3 = new StorageUriCodec("s3", "bkt");
    expect(s3.parse("s3://bkt/jobs/job-abcdef/spec.json")).toBe("jobs/job-abcdef/spec.json");
    expect(() => s3.parse("s3://bkt/jobs/job-abcdef/spec.json", { userId: 1 })).toThrow(
      StoragePermissionError,
    );
  });

  it("refuses a relative root and reads schemes", () => {
    expect(() => new StorageUriCodec("file", "data")).toThrow(StoragePermissionError);
    expect(schemeOf("runpod://v/x")).toBe("runpod");
    expect(schemeOf("http://x/y")).toBeUndefined();
  });
});

describe("names typed by users", () => {
  it("keeps letters of any script but no separators or control characters", () => {
    expect(sanitizeDisplayName("Продажи 2024.csv")).toBe("Продажи 2024.csv");
    expect(sanitizeDisplayName("../../etc/passwd")).toBe("_.._etc_passwd");
    expect(sanitizeDisplayName("a\u0000b\u202ec\r\nd")).toBe("abc d");
    expect(sanitizeDisplayName("   ")).toBe("dataset");
    expect(Array.from(sanitizeDisplayName("é".repeat(300)))).toHaveLength(100);
  });

  it("makes key-safe file names", () => {
    expect(sanitizeFileName("Résumé final (v2).csv")).toBe("Resume_final_v2_.csv");
    expect(sanitizeFileName("..\\..\\x")).toBe("x");
    expect(sanitizeFileName("日本語", "predictions")).toBe("predictions");
    expect(() => checkKey(`results/user_1/job-abcdef/${sanitizeFileName("a/b\u0000c.csv")}`)).not.toThrow();
  });
});
