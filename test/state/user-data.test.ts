/**
 * Per-user data on both stores: settings and budgets, exact monthly spend, templates under one naming rule
 * (with the per-user limit held under concurrent saves from two processes), and the model index.
 */

import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { DataError } from "../../src/errors.js";
import { RedisWorkflowStore } from "../../src/state/redis-store.js";
import { UserData } from "../../src/state/user-data.js";
import { normalizeName, TEMPLATES_PER_USER } from "../../src/state/user-templates.js";
import { REDIS_TEST_URL } from "../helpers/redis.js";
import { BACKENDS, type Backend, type redisBackend } from "./backends.js";

const user = 4242;
const defaults = { perTrainingJob: 10, perPrediction: 1, monthly: 50 };

/** A clock the test moves: every read advances one second, so "last used" orders are strict. */
function steppingClock(start = "2026-11-28T10:00:00.000Z") {
  let t = Date.parse(start);
  return () => {
    t += 1000;
    return new Date(t);
  };
}

describe("the naming rule", () => {
  it.each([
    ["Iris RF", "Iris RF"],
    ["  spaced   out  ", "spaced out"],
    ["ação_1-b", "ação_1-b"],
    ["a", "a"],
    ["x".repeat(40), "x".repeat(40)],
    ["Cafe\u0301", "Café"], // combining accent, normalized to one letter
  ])("accepts %j as %j", (raw, clean) => {
    expect(normalizeName(raw)).toBe(clean);
  });

  it.each(["", "   ", "x".repeat(41), "a/b", "x.y", "party 🎉", "<b>bold</b>", "nul\u0000byte", "¹²³"])(
    "refuses %j with a message stating the rule",
    (raw) => {
      const error = (() => {
        try {
          normalizeName(raw, "template name");
        } catch (e) {
          return e;
        }
      })() as DataError;
      expect(error).toBeInstanceOf(DataError);
      expect(error.recoverySuggestion).toContain("1–40 letters, digits, spaces");
    },
  );
});

describe.each(BACKENDS)("user data on the %s store", (_name, makeBackend) => {
  let backend: Backend;
  afterEach(() => backend?.cleanup());
  const setup = () => {
    backend = makeBackend("userdata");
    const now = steppingClock();
    return [new UserData(backend.store, { defaults, now }), new UserData(backend.twin, { defaults, now })];
  };

  it("keeps settings, falls back to the operator's caps, and refuses bad amounts unchanged", async () => {
    const [data] = setup();
    expect(await data.getSettings(user)).toEqual({ budget: {} });
    await data.setLanguage(user, "pt");
    await data.setBudget(user, { perTrainingJob: 2.5, monthly: 20 });
    expect(await data.getSettings(user)).toEqual({
      language: "pt",
      budget: { perTrainingJob: 2.5, monthly: 20 },
    });
    expect(await data.budget(user)).toEqual({
      perTrainingJob: 2.5,
      perPrediction: 1,
      monthly: 20,
      spentThisMonth: 0,
      totalMonthly: Number.POSITIVE_INFINITY,
      totalSpentThisMonth: 0,
    });
    await data.setBudget(user, { monthly: null });
    expect((await data.budget(user)).monthly).toBe(50);
    await data.setBudget(user, { perPrediction: 7 }); // above the operator's cap of 1: clamped, i.e. cleared
    expect((await data.budget(user)).perPrediction).toBe(1);
    expect((await data.getSettings(user)).budget).not.toHaveProperty("perPrediction");
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, 2_000_000]) {
      await expect(data.setBudget(user, { perPrediction: bad })).rejects.toBeInstanceOf(DataError);
    }
    expect((await data.getSettings(user)).budget).toEqual({ perTrainingJob: 2.5 });
  });

  it("reads a damaged settings document as the defaults", async () => {
    const [data] = setup();
    await backend.store.setUserDoc(user, "settings", { language: "klingon", budget: "lots" });
    expect(await data.getSettings(user)).toEqual({ budget: {} });
    if (backend.store instanceof RedisWorkflowStore) {
      const redis = new Redis(REDIS_TEST_URL);
      await redis.set(
        `${(backend as ReturnType<typeof redisBackend>).prefix}:user:${user}:settings`,
        "{not json",
      );
      await redis.quit();
      expect(await data.getSettings(user)).toEqual({ budget: {} });
    }
    await data.setLanguage(user, "en");
    expect(await data.getSettings(user)).toEqual({ language: "en", budget: {} });
  });

  it("sums spend exactly to the cent, per month", async () => {
    const [data] = setup();
    const november = new Date("2026-11-15T00:00:00Z");
    for (let i = 0; i < 100; i++) await data.addSpend(user, 0.01, november);
    expect(await data.getSpend(user, "2026-11")).toBe(1);
    expect(await data.addSpend(user, 0.1, november)).toBe(1.1);
    expect(await data.addSpend(user, 0.2, november)).toBe(1.3);
    expect(await data.addSpend(user, 0.0000166667 * 3, new Date("2026-12-01T00:00:00Z"))).toBe(0.00005);
    expect(await data.getSpend(user, "2026-11")).toBe(1.3);
    expect(await data.getSpend(user, "2026-10")).toBe(0);
    await expect(data.addSpend(user, -5)).rejects.toBeInstanceOf(DataError);
  });

  it("records a job's cost once, even when two processes report it at the same time", async () => {
    const [a, b] = setup();
    await Promise.all([a, b, a, b].map((data) => data.recordJobCost(user, "job-1", 0.37)));
    await a.recordJobCost(user, "job-2", 1.05);
    await b.recordJobCost(user, "job-1", 0.37);
    expect(await a.getSpend(user)).toBe(1.42);
    expect((await b.budget(user)).spentThisMonth).toBe(1.42);
  });

  it("counts everyone's spend against the total cap, and reports it by user and provider", async () => {
    backend = makeBackend("userdata");
    const data = new UserData(backend.store, { defaults, monthlyTotal: 100, now: steppingClock() });
    await data.recordJobCost(user, "job-a", 2.5, "runpod");
    await data.recordJobCost(user, "job-a", 2.5, "runpod"); // reported twice, counted once
    await data.recordJobCost(user, "job-b", 1, "aws");
    await data.recordJobCost(7, "job-c", 0.25, "runpod");
    await data.recordJobCost(7, "job-d", 0.5); // a caller that did not say where
    const budget = await data.budget(7);
    expect([budget.totalMonthly, budget.totalSpentThisMonth, budget.spentThisMonth]).toEqual([
      100, 4.25, 0.75,
    ]);
    expect(await data.spendReport()).toEqual({
      month: "2026-11",
      total: 4.25,
      byProvider: { aws: 1, runpod: 2.75, other: 0.5 },
      byUser: [
        { userId: user, total: 3.5, byProvider: { aws: 1, runpod: 2.5 } },
        { userId: 7, total: 0.75, byProvider: { runpod: 0.25, other: 0.5 } },
      ],
    });
  });

  it("saves, lists, uses, renames and deletes templates, names compared without case", async () => {
    const [data] = setup();
    const t = data.templates;
    await t.save(user, { name: "Iris RF", kind: "training", config: { modelType: "random_forest" } });
    await t.save(user, { name: "weekly scores", kind: "prediction", config: { modelId: "m1" } });
    await expect(t.save(user, { name: "IRIS rf", kind: "training", config: {} })).rejects.toThrow(/already/);
    expect((await t.get(user, "iris RF"))?.config).toEqual({ modelType: "random_forest" });
    expect((await data.listTemplates(user, "training")).map((x) => x.name)).toEqual(["Iris RF"]);
    expect((await t.list(user)).map((x) => x.name)).toEqual(["weekly scores", "Iris RF"]);
    await t.use(user, "iris rf");
    expect((await t.list(user)).map((x) => x.name)).toEqual(["Iris RF", "weekly scores"]);

    await expect(t.rename(user, "iris rf", "Weekly Scores")).rejects.toThrow(/already/);
    const renamed = await t.rename(user, "iris rf", "IRIS forest");
    expect(renamed).toMatchObject({ name: "IRIS forest", kind: "training" });
    expect(await t.rename(user, "iris forest", "Iris Forest")).toMatchObject({ name: "Iris Forest" });
    expect(await t.get(user, "Iris RF")).toBeUndefined();

    const replaced = await t.save(
      user,
      { name: "iris forest", kind: "training", config: { v: 2 } },
      { replace: true },
    );
    expect(replaced.createdAt).toBe(renamed.createdAt);
    expect(await t.delete(user, "IRIS FOREST")).toBe(true);
    expect(await t.delete(user, "iris forest")).toBe(false);
    await data.deleteTemplate(user, "weekly scores");
    await data.saveTemplate(user, { name: "weekly scores", kind: "prediction", config: { modelId: "m1" } });
    await expect(t.use(user, "nope")).rejects.toThrow(/no template/);
    expect((await t.list(user)).map((x) => x.name)).toEqual(["weekly scores"]);
  });

  it("refuses a config that is not plain JSON or is too large", async () => {
    const [data] = setup();
    const save = (config: unknown) =>
      data.templates.save(user, { name: "x", kind: "training", config: config as Record<string, unknown> });
    await expect(save({ at: new Date() })).rejects.toBeInstanceOf(DataError);
    await expect(save({ f: () => 1 })).rejects.toBeInstanceOf(DataError);
    await expect(save({ big: "x".repeat(20_000) })).rejects.toBeInstanceOf(DataError);
    expect(await data.templates.list(user)).toEqual([]);
  });

  it(`keeps at most ${TEMPLATES_PER_USER} templates, even with concurrent saves from two processes`, async () => {
    const [a, b] = setup();
    const saves = Array.from({ length: 60 }, (_, i) =>
      (i % 2 === 0 ? a : b).templates.save(user, { name: `t${i}`, kind: "training", config: { i } }),
    );
    const results = await Promise.allSettled(saves);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(TEMPLATES_PER_USER);
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(refused.every((r) => /the most you can keep/.test(r.reason.message))).toBe(true);
    expect(await a.templates.list(user)).toHaveLength(TEMPLATES_PER_USER);
  });

  it("skips a damaged template entry and keeps the others", async () => {
    const [data] = setup();
    await data.templates.save(user, { name: "good", kind: "training", config: {} });
    const doc = (await backend.store.getUserDoc<Record<string, unknown>>(user, "templates"))!;
    await backend.store.setUserDoc(user, "templates", { ...doc, bad: { name: 42 } });
    expect((await data.templates.list(user)).map((t) => t.name)).toEqual(["good"]);
  });

  it("indexes models with display names, newest first", async () => {
    const [data] = setup();
    await data.setModelName(user, "m-1", "First model");
    await data.setModelName(user, "m-2", "Second");
    const created = (await data.listModels(user)).find((m) => m.modelId === "m-1")!.createdAt;
    await data.setModelName(user, "m-1", "  Churn   v2 ");
    expect((await data.listModels(user)).find((m) => m.modelId === "m-1")?.createdAt).toBe(created);
    expect((await data.listModels(user)).map((m) => m.modelId)).toEqual(["m-2", "m-1"]);
    expect(await data.modelNames(user)).toEqual({ "m-1": "Churn v2", "m-2": "Second" });
    await expect(data.setModelName(user, "m-3", "../../etc")).rejects.toBeInstanceOf(DataError);
    expect(await data.removeModel(user, "m-2")).toBe(true);
    expect(await data.removeModel(user, "m-2")).toBe(false);
    expect(await data.modelNames(user)).toEqual({ "m-1": "Churn v2" });
  });
});
