/**
 * The renderer on its own: which Bot API calls a commit turns into (captured with an API transformer, as
 * grammY's own tests do), without a Telegram server.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, type InputFile } from "grammy";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { en } from "../../src/bot/i18n/en.js";
import { Renderer } from "../../src/bot/renderer.js";
import { createLogger } from "../../src/logger.js";
import type { AnySnapshot } from "../../src/state/definitions.js";
import { MemoryWorkflowStore } from "../../src/state/memory-store.js";
import type { Commit } from "../../src/state/state-manager.js";

interface Call {
  method: string;
  payload: Record<string, unknown>;
}

const key = { userId: 5, chatId: 5 };
let dir: string;
let calls: Call[];
let nextMessageId: number;

function makeRenderer(
  options: {
    documentLimitBytes?: number;
    link?: string;
    progressEditIntervalMs?: number;
    /** Calls (by method and how many of that method came before) that Telegram refuses. */
    refuse?: (method: string, earlier: number) => boolean;
  } = {},
) {
  const api = new Api("123456:TEST-token-for-the-renderer-test");
  api.config.use(async (_prev, method, payload) => {
    const earlier = calls.filter((c) => c.method === method).length;
    calls.push({ method, payload: payload as Record<string, unknown> });
    if (options.refuse?.(method, earlier)) {
      return { ok: false, error_code: 400, description: "Bad Request: something went wrong" } as never;
    }
    return { ok: true, result: method.startsWith("send") ? { message_id: nextMessageId++ } : true } as never;
  });
  return new Renderer({
    api,
    store: new MemoryWorkflowStore(),
    logger: createLogger("silent"),
    texts: async () => en,
    readFile: async () => new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
    linkFor: async () => options.link,
    documentLimitBytes: options.documentLimitBytes,
    progressEditIntervalMs: options.progressEditIntervalMs,
    deliveryRetryMs: 10,
  });
}

const snapshot = (value: unknown, context: Record<string, unknown>) =>
  ({ value, context, status: "active" }) as unknown as AnySnapshot;

function commit(
  type: string,
  prev: AnySnapshot | undefined,
  next: AnySnapshot,
  event?: Commit["event"],
): Commit {
  return { key, workflowType: type, version: 1, prev, next, event, source: event ? "external" : "live" };
}

function predictionDone(localPath: string): AnySnapshot {
  return snapshot("COMPLETE", {
    workflowId: "wf",
    models: [],
    runs: 1,
    page: 0,
    history: [],
    replyTo: 42,
    predictionColumn: "y_predicted",
    result: {
      success: true,
      outputUri: "file:///x/out.csv",
      numPredictions: 3,
      executionTime: 0.2,
      cost: 0,
      localPath,
      fileName: "out.csv",
      preview: { columns: ["a", "y_predicted"], rows: [["1", "2"]] },
      summary: { mean: 2, std: 0, min: 2, median: 2, max: 2 },
    },
  });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "sma-renderer-"));
  calls = [];
  nextMessageId = 100;
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("renderer: the predictions file", () => {
  const running = snapshot("RUNNING_PREDICTION", { workflowId: "wf", models: [], history: [], page: 0 });

  it("sends it as a reply to the user's data", async () => {
    const file = join(dir, "out.csv");
    writeFileSync(file, "a,y_predicted\n1,2\n");
    await makeRenderer().render(commit("prediction", running, predictionDone(file)));
    const doc = calls.find((c) => c.method === "sendDocument");
    expect(doc?.payload.reply_parameters).toMatchObject({ message_id: 42 });
    expect((doc?.payload.document as InputFile | undefined)?.filename).toBe("out.csv");
    expect(calls.find((c) => c.method === "sendMessage")?.payload.text).toMatch(/<b>3<\/b> predictions/);
  });

  it("sends the file before the result screen, tries it again on its own, and a failed screen cannot lose it", async () => {
    const file = join(dir, "out.csv");
    writeFileSync(file, "a,y_predicted\n1,2\n");
    const renderer = makeRenderer({
      refuse: (method, earlier) => (method === "sendDocument" && earlier === 0) || method === "sendMessage",
    });
    await renderer.render(commit("prediction", running, predictionDone(file)));
    expect(calls.map((c) => c.method)).toEqual(["sendDocument", "sendDocument", "sendMessage"]);
    expect((calls[1].payload.document as InputFile).filename).toBe("out.csv");
  });

  it("zips a file over Telegram's limit", async () => {
    const file = join(dir, "out.csv");
    writeFileSync(file, `a,y_predicted\n${"1,2\n".repeat(5000)}`);
    await makeRenderer({ documentLimitBytes: 4000 }).render(
      commit("prediction", running, predictionDone(file)),
    );
    const doc = calls.find((c) => c.method === "sendDocument");
    expect((doc?.payload.document as InputFile | undefined)?.filename).toBe("out.csv.zip");
    expect(doc?.payload.caption).toMatch(/zipped/);
  });

  it("gives a link when even the zip is too large, where the storage makes links", async () => {
    const file = join(dir, "out.csv");
    writeFileSync(file, Array.from({ length: 3000 }, (_, i) => `${i},${Math.sin(i) * 1e6}`).join("\n"));
    await makeRenderer({ documentLimitBytes: 100, link: "https://example.test/signed" }).render(
      commit("prediction", running, predictionDone(file)),
    );
    expect(calls.some((c) => c.method === "sendDocument")).toBe(false);
    // The link comes first, then the result screen.
    expect(calls.at(0)?.payload.text).toMatch(/https:\/\/example\.test\/signed/);
  });
});

describe("renderer: screens and progress", () => {
  const schema = (page: number) =>
    snapshot("SELECTING_FEATURES", {
      workflowId: "wf",
      history: [],
      page,
      target: "y",
      features: ["a"],
      dataset: {
        fileName: "d.csv",
        nRows: 1,
        nColumns: 30,
        missingCells: 0,
        columns: Array.from({ length: 30 }, (_, i) => ({
          name: `c${i}`,
          type: "numeric",
          missingPct: 0,
          unique: 2,
        })),
        suggestion: { target: "y", task: "regression", features: [], confidence: 1, reason: "" },
      },
    });

  it("sends a new step as a new message and edits it in place for a button within the step", async () => {
    const renderer = makeRenderer();
    await renderer.render(commit("training", undefined, schema(0), { type: "user.chooseFeatures" }));
    expect(calls.map((c) => c.method)).toEqual(["sendMessage"]);
    await renderer.render(commit("training", schema(0), schema(1), { type: "user.page", page: 1 }));
    expect(calls.map((c) => c.method)).toEqual(["sendMessage", "editMessageText"]);
    expect(calls[1].payload.message_id).toBe(100);
    // Nothing changed: no call at all (Telegram would answer "message is not modified").
    await renderer.render(commit("training", schema(1), schema(1), { type: "user.page", page: 1 }));
    expect(calls).toHaveLength(2);
    // Typed input gets a fresh screen below the user's message, and the old one loses its buttons.
    await renderer.render(commit("training", schema(1), schema(1), { type: "user.typedText", text: "1-3" }));
    expect(calls.slice(2).map((c) => c.method)).toEqual(["editMessageReplyMarkup", "sendMessage"]);
  });

  it("edits the progress message at most once per interval, and the latest text lands", async () => {
    const renderer = makeRenderer({ progressEditIntervalMs: 300 });
    const job = (progress: number, status = "running") => ({
      jobId: "j",
      modelId: "m",
      provider: "local",
      computeType: "local",
      hourlyRate: 0,
      deadline: "",
      status,
      progress,
      logTail: [],
      costSoFar: 0,
      runtimeSeconds: 0,
      attempts: [],
      launchedAt: new Date().toISOString(),
    });
    const at = (state: string, progress: number) =>
      snapshot(state, { workflowId: "wf", history: [], page: 0, modelType: "linear", job: job(progress) });
    await renderer.render(
      commit("training", undefined, at("LAUNCHING_TRAINING", 0), { type: "user.launch" }),
    );
    for (const p of [10, 20, 30, 40])
      await renderer.render(
        commit("training", at("MONITORING_TRAINING", p - 10), at("MONITORING_TRAINING", p)),
      );
    const edits = () => calls.filter((c) => c.method === "editMessageText");
    expect(edits().length).toBeLessThanOrEqual(1);
    // The held-back edit is sent once the interval allows: wait for it, not for a fixed time.
    await vi.waitFor(() => expect(edits().at(-1)?.payload.text).toMatch(/40%/), {
      timeout: 10_000,
      interval: 20,
    });
    expect(edits().length).toBeLessThanOrEqual(2);
  });
});
