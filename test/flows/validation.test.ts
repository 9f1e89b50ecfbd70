/**
 * One validation per concept, checked end to end against the real store on Redis (no fake port): a name the
 * machine's guard accepts is one the store keeps, and one it refuses is refused with the prompt's rule; a
 * typed budget the bot accepts is the cap the store records.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createActor, waitFor } from "xstate";
import { en } from "../../src/bot/i18n/en.js";
import { pt } from "../../src/bot/i18n/pt.js";
import type { FlowPorts } from "../../src/flows/ports.js";
import { trainingActors } from "../../src/flows/training/actors.js";
import { trainingMachine } from "../../src/flows/training/machine.js";
import type { TrainingContext } from "../../src/flows/training/types.js";
import { parseDollars } from "../../src/state/amounts.js";
import { NAME_LENGTH } from "../../src/state/names.js";
import { RedisWorkflowStore } from "../../src/state/redis-store.js";
import { UserData } from "../../src/state/user-data.js";
import { deletePrefix, REDIS_TEST_URL, testPrefix } from "../helpers/redis.js";

const user = 61;
let prefix = "";
let store: RedisWorkflowStore | undefined;
afterEach(async () => {
  await store?.close();
  await deletePrefix(prefix);
});

function realUserData(): UserData {
  prefix = testPrefix("validation");
  store = new RedisWorkflowStore(REDIS_TEST_URL, prefix);
  return new UserData(store, { defaults: { perTrainingJob: 5, perPrediction: 1, monthly: 20 } });
}

/** The training machine at `value`, with the real store behind its rename and template actors. */
function machineAt(userData: UserData, value: Record<string, string>) {
  const actors = trainingActors({ userData } as unknown as FlowPorts);
  const machine = trainingMachine.provide({
    actors: { renameModel: actors.renameModel, saveTemplate: actors.saveTemplate },
  });
  const context: TrainingContext = {
    workflowId: "wfv",
    userId: user,
    chatId: 610,
    startedAt: "2026-12-06T00:00:00.000Z",
    history: [],
    hyperparameters: {},
    launches: 1,
    page: 0,
    target: "species",
    task: "classification",
    features: ["sepal_length"],
    modelType: "decision_tree",
    result: {
      modelId: "m-wfv-t1",
      modelUri: "file:///m",
      name: "Decision tree",
      summary: {},
      runtimeSeconds: 1,
      cost: 0,
      trainedOn: "local",
    },
  };
  return createActor(machine, { snapshot: machine.resolveState({ value, context }), input: context }).start();
}

const NAMES: Array<[string, string | undefined]> = [
  ["Ridge v2.1", undefined],
  ["Ridge (final)", undefined],
  ["x".repeat(60), undefined],
  ["x", undefined],
  ["¹²³", undefined],
  ["Iris tree", "Iris tree"],
  ["  Churn   v2 ", "Churn v2"],
  ["ação_1-b", "ação_1-b"],
  ["x".repeat(NAME_LENGTH.model.max), "x".repeat(NAME_LENGTH.model.max)],
];

describe("model names: the guard, the prompt and the store follow one rule", () => {
  it.each(NAMES)("%j → %j", async (typed, kept) => {
    const userData = realUserData();
    const actor = machineAt(userData, { NAMING_MODEL: "typing" });
    actor.send({ type: "user.typedText", text: typed });
    const end = await waitFor(actor, (s) => s.matches("COMPLETE") || s.context.notice !== undefined);
    const names = await userData.modelNames(user);
    if (kept === undefined) {
      expect(end.context.notice?.key).toBe("badModelName");
      expect(names).toEqual({});
    } else {
      expect(end.matches("COMPLETE")).toBe(true);
      expect(names).toEqual({ "m-wfv-t1": kept });
    }
    // What the store says about the same text, asked directly.
    const stored = await userData.setModelName(user, "m-direct", typed).then(
      () => true,
      () => false,
    );
    expect(stored).toBe(kept !== undefined);
  });

  it("the prompts state the rule's numbers, in both languages", () => {
    const { min, max } = NAME_LENGTH.model;
    expect(en.notices.badModelName()).toContain(`${min}–${max}`);
    expect(en.result.namePrompt).toContain(`${min}–${max}`);
    expect(en.models.renamePrompt("a")).toContain(`${min}–${max}`);
    expect(pt.notices.badModelName()).toContain(`${min} a ${max}`);
    expect(pt.models.renamePrompt("a")).toContain(`${min} a ${max}`);
  });
});

describe("template names: the guard and the store follow one rule", () => {
  it.each([
    ["Weekly run", true],
    ["a", true],
    ["a.b", false],
    ["¹²³", false],
    ["x".repeat(NAME_LENGTH.template.max + 1), false],
  ] as const)("%j saved: %s", async (typed, saved) => {
    const userData = realUserData();
    const actor = machineAt(userData, { TRAINING_COMPLETE: "namingTemplate" });
    actor.send({ type: "user.typedText", text: typed });
    const end = await waitFor(actor, (s) => s.context.notice !== undefined);
    const templates = await userData.listTemplates(user, "training");
    expect(end.context.notice?.key).toBe(saved ? "templateSaved" : "badTemplateName");
    expect(templates.map((t) => t.name)).toEqual(saved ? [typed] : []);
    expect(en.notices.badTemplateName()).toContain(`1–${NAME_LENGTH.template.max}`);
  });
});

describe("budget caps: what the bot parses is what the store records", () => {
  const operatorCap = 5; // perTrainingJob above
  it.each([
    ["2.50", 2.5],
    ["$3", 3],
    ["1,25", 1.25],
    ["0", 0],
    ["0.333", 0.33],
    ["7", undefined],
    ["-1", undefined],
    ["abc", undefined],
    ["1e3", undefined],
    ["", undefined],
  ] as const)("%j → %s", async (typed, cap) => {
    const userData = realUserData();
    const parsed = parseDollars(typed, operatorCap);
    expect(parsed).toBe(cap);
    if (parsed !== undefined) await userData.setBudget(user, { perTrainingJob: parsed });
    expect((await userData.budget(user)).perTrainingJob).toBe(cap ?? operatorCap);
  });

  it("the store refuses an amount the parser could never produce, and rounds to cents as the parser does", async () => {
    const userData = realUserData();
    await expect(userData.setBudget(user, { monthly: -1 })).rejects.toThrow(/dollars/);
    await expect(userData.setBudget(user, { monthly: Number.NaN })).rejects.toThrow(/dollars/);
    await userData.setBudget(user, { monthly: 2.555 });
    expect((await userData.budget(user)).monthly).toBe(parseDollars("2.555"));
  });
});
