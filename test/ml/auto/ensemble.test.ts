/**
 * The ensemble model kind: it predicts the weighted blend of its members, survives signing and loading
 * unchanged, and a tampered, malformed or oversized ensemble is refused. Greedy selection on out-of-fold
 * predictions prefers a blend exactly when members that err on different rows can outvote each other.
 */
import { describe, expect, it } from "vitest";
import { ModelError, ModelIntegrityError } from "../../../src/errors.js";
import {
  blendImportance,
  ENSEMBLE_LIMITS,
  type EnsembleMember,
  ensembleDocument,
  ensembleLabel,
} from "../../../src/ml/artifact/ensemble.js";
import { chooseEnsemble, ensembleWins, planEnsemble } from "../../../src/ml/auto/ensemble.js";
import { kFolds } from "../../../src/ml/auto/folds.js";
import type { OutOfFold } from "../../../src/ml/auto/search.js";
import { deserializeModel, predictFrame, serializeModel, trainModel } from "../../../src/ml/index.js";
import type { Frame, LeaderboardEntry, ModelDocument, ModelMetadata, Task } from "../../../src/ml/types.js";
import { loadFixture } from "../helpers/fixtures.js";

const KEY = "e".repeat(40);

function member(frame: Frame, task: Task, target: string, modelType: string, weight: number): EnsembleMember {
  const r = trainModel(frame, { modelType, task, target, features: [], seed: 7 });
  return { label: modelType, weight, model: r.model };
}

async function irisEnsemble() {
  const frame = await loadFixture("iris");
  const members = [
    member(frame, "classification", "species", "logistic", 0.5),
    member(frame, "classification", "species", "naive_bayes", 0.3),
    member(frame, "classification", "species", "knn", 0.2),
  ];
  return { frame, members, model: ensembleDocument(members) };
}

function metadataOf(model: ModelDocument): ModelMetadata {
  return {
    modelId: "e1",
    name: "ensemble",
    modelType: "auto",
    taskType: model.task,
    target: model.target,
    features: model.features.map((f) => f.name),
    trainedAt: "2026-12-06T00:00:00.000Z",
    metrics: {},
    trainedOn: "local",
  };
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);

describe("ensemble model", () => {
  it("predicts the weighted mean of its members' class probabilities, and their most probable class", async () => {
    const { frame, members, model } = await irisEnsemble();
    const result = predictFrame(model, frame, { probabilities: true });
    const each = members.map((m) => predictFrame(m.model, frame, { probabilities: true }).probabilities!);
    // The members disagree somewhere, so the blend is not just one of them.
    const labels = members.map((m) => predictFrame(m.model, frame).predictions);
    expect(labels[0]).not.toEqual(labels[1]);
    for (let i = 0; i < frame.nRows; i++) {
      const blended = [0, 1, 2].map((c) => members.reduce((s, m, j) => s + m.weight * each[j][i][c], 0));
      result.probabilities![i].forEach((p, c) => {
        expect(p).toBeCloseTo(blended[c], 12);
      });
      expect(result.predictions[i]).toBe(result.classes![blended.indexOf(Math.max(...blended))]);
    }
    expect(predictFrame(model, frame).predictions).toEqual(result.predictions);
  });

  it("predicts the weighted mean of its members' predictions for regression", async () => {
    const frame = await loadFixture("diabetes");
    const members = [
      member(frame, "regression", "progression", "ridge", 3),
      member(frame, "regression", "progression", "decision_tree", 1),
    ];
    const preds = predictFrame(ensembleDocument(members), frame).predictions as number[];
    const ridge = predictFrame(members[0].model, frame).predictions as number[];
    const tree = predictFrame(members[1].model, frame).predictions as number[];
    preds.forEach((p, i) => {
      expect(p).toBeCloseTo(0.75 * ridge[i] + 0.25 * tree[i], 9);
    });
  });

  it("is labelled by its members, largest weight first", () => {
    expect(
      ensembleLabel([
        { label: "Random forest", weight: 0.2 },
        { label: "Gradient boosting", weight: 0.5 },
        { label: "Logistic regression", weight: 0.3 },
      ]),
    ).toBe("Ensemble of Gradient boosting, Logistic regression, Random forest");
  });

  it("weighs its members' importance, each as shares of its own total", () => {
    const blended = blendImportance([
      {
        weight: 0.75,
        importance: [
          { feature: "a", importance: 3 },
          { feature: "b", importance: 1 },
        ],
      },
      {
        weight: 0.25,
        importance: [
          { feature: "b", importance: 10 },
          { feature: "a", importance: 0 },
        ],
      },
    ]);
    expect(blended.map((f) => f.feature)).toEqual(["a", "b"]);
    expect(blended[0].importance).toBeCloseTo(0.75 * 0.75, 12);
    expect(blended[1].importance).toBeCloseTo(0.75 * 0.25 + 0.25, 12);
  });

  it("round-trips through signed files (data only) and predicts identically after loading", async () => {
    const { frame, model } = await irisEnsemble();
    const owner = { userId: 5, modelId: "e1" };
    const files = serializeModel(model, metadataOf(model), KEY, owner);
    expect(JSON.parse(text(files["model.json"])).modelType).toBe("ensemble");
    const loaded = deserializeModel(files, KEY, owner).model;
    expect(predictFrame(loaded, frame, { probabilities: true })).toEqual(
      predictFrame(model, frame, { probabilities: true }),
    );
    // Copied under another model id: refused like any model.
    expect(() => deserializeModel(files, KEY, { userId: 5, modelId: "e2" })).toThrow(ModelIntegrityError);
  });

  it("refuses a tampered ensemble", async () => {
    const { model } = await irisEnsemble();
    const files = serializeModel(model, metadataOf(model), KEY);
    const json = text(files["model.json"]).replace('"weight":0.5', '"weight":5');
    expect(json).not.toBe(text(files["model.json"]));
    expect(() => deserializeModel({ ...files, "model.json": bytes(json) }, KEY)).toThrow(ModelIntegrityError);
  });

  it("refuses a signed ensemble that is malformed, nested, inconsistent or too large", async () => {
    const { members, model } = await irisEnsemble();
    const load = (doc: ModelDocument, limits = ENSEMBLE_LIMITS) =>
      deserializeModel(serializeModel(doc, metadataOf(doc), KEY), KEY, undefined, limits);
    expect(load(model).model.modelType).toBe("ensemble");
    const withMembers = (list: unknown[]) => ({ ...model, fitted: { members: list } }) as ModelDocument;
    const one = (model.fitted as { members: unknown[] }).members[0] as EnsembleMember;
    const cases: Array<[string, ModelDocument, RegExp]> = [
      ["one member", withMembers([one]), /2 to 8 members/],
      ["nine members", withMembers(Array(9).fill(one)), /2 to 8 members/],
      ["a negative weight", withMembers([one, { ...one, weight: -1 }]), /2 to 8 members/],
      [
        "no weight at all",
        withMembers([
          { ...one, weight: 0 },
          { ...one, weight: 0 },
        ]),
        /no member any weight/,
      ],
      ["a nested ensemble", withMembers([one, { ...one, model }]), /another ensemble/],
      [
        "a member of unknown type",
        withMembers([one, { ...one, model: { ...one.model, modelType: "eval" } }]),
        /Unknown model type/,
      ],
      [
        "a member with other classes",
        withMembers([one, { ...one, model: { ...one.model, classes: ["a", "b", "c"] } }]),
        /another target or reads other features/,
      ],
    ];
    for (const [name, doc, message] of cases) {
      expect(() => load(doc), name).toThrow(message);
    }
    expect(() => load(model, { maxMembers: 8, maxBytes: 4096 })).toThrow(ModelError);
    expect(() => load(model, { maxMembers: 8, maxBytes: 4096 })).toThrow(/MiB/);
    expect(() => load(ensembleDocument([...members, ...members, ...members]))).toThrow(/2 to 8 members/);
  });
});

/** Out-of-fold probabilities for 3 classes: confident in `predicted[i]` for every row. */
function candidate(
  label: string,
  cvMean: number,
  predicted: number[],
  confidence = 0.8,
  refitSeconds = 0,
): OutOfFold {
  const values = new Float64Array(predicted.length * 3);
  predicted.forEach((c, i) => {
    for (let j = 0; j < 3; j++) values[i * 3 + j] = j === c ? confidence : (1 - confidence) / 2;
  });
  const entry = { label, modelType: "logistic", cvMean } as LeaderboardEntry;
  return { entry, values, labels: Float64Array.from(predicted), refitSeconds };
}

describe("ensemble selection", () => {
  const n = 150;
  const y = Float64Array.from({ length: n }, (_, i) => i % 3);
  const data = { task: "classification" as const, nClasses: 3, y, folds: kFolds(n, 5, 1, y) };
  /** The truth, except on rows where i % 5 === wrong (a fifth of the rows, a different fifth per model). */
  const erring = (wrong: number) => Array.from(y, (c, i) => (i % 5 === wrong ? (c + 1) % 3 : c));

  it("blends candidates that err on different rows: the vote is right everywhere", () => {
    const pool = [
      candidate("a", 0.8, erring(0)),
      candidate("b", 0.8, erring(1)),
      candidate("c", 0.8, erring(2)),
    ];
    const plan = planEnsemble(pool, data);
    expect(plan).not.toBeNull();
    expect(plan!.members.map((m) => m.candidate.entry.label).sort()).toEqual(["a", "b", "c"]);
    expect(plan!.members.reduce((s, m) => s + m.weight, 0)).toBeCloseTo(1, 12);
    expect(plan!.score).toBe(1);
    // Each single candidate is wrong on about a fifth of the rows of any fold.
    expect(plan!.singleScore).toBeGreaterThan(0.6);
    expect(plan!.singleScore).toBeLessThan(0.9);
    expect(ensembleWins(plan!)).toBe(true);
    expect(chooseEnsemble(plan!, 0)).toBe(true);
  });

  it("blends the five candidates with the lowest out-of-fold loss, equally weighted", () => {
    // Eight candidates, each wrong on its own eighth of the rows, confident 0.800 to 0.807: each one added
    // improves the blend, but only the five whose confidence is nearest their accuracy of 7/8 (the lowest
    // Brier scores) are taken.
    const wrongOn = (w: number) => Array.from(y, (c, i) => (i % 8 === w ? (c + 1) % 3 : c));
    const pool = [0, 1, 2, 3, 4, 5, 6, 7].map((w) => candidate(`m${w}`, 0.875, wrongOn(w), 0.8 + 0.001 * w));
    const plan = planEnsemble(pool, data)!;
    expect(plan.members.map((m) => m.candidate.entry.label).sort()).toEqual(["m3", "m4", "m5", "m6", "m7"]);
    for (const m of plan.members) expect(m.weight).toBeCloseTo(1 / 5, 12);
  });

  it("keeps the single candidate when refitting the blend's members would overrun the budget", () => {
    const pool = [1, 2, 3].map((wrong) => candidate(`m${wrong}`, 0.8, erring(wrong), 0.8, 2));
    const plan = planEnsemble(pool, data)!;
    expect(ensembleWins(plan)).toBe(true);
    // Three members of 2 s each: 6 s of refits.
    expect(chooseEnsemble(plan, 6_000)).toBe(true);
    expect(chooseEnsemble(plan, 5_999)).toBe(false);
  });

  it("keeps a blend whose accuracy trails the single choice's by less than half a row per fold", () => {
    // Three candidates, each wrong on its own rows, the blend wrong where two of them are; the single choice,
    // wrong on 3 of 150 rows, leads by 2 rows in all (0.4 per fold of 30): kept; by 5 rows (1 per fold): not.
    const wrongWhere = (rows: number[]) => Array.from(y, (c, i) => (rows.includes(i) ? (c + 1) % 3 : c));
    const pool = (blendWrong: number[]) => [
      candidate("single", 0.98, wrongWhere([10, 70, 130]), 0.9),
      candidate("b", 0.9, wrongWhere(blendWrong), 0.9),
      candidate("c", 0.9, wrongWhere(blendWrong), 0.9),
    ];
    const behind = (blendWrong: number[]) => {
      const plan = planEnsemble(pool(blendWrong), data)!;
      return { gap: plan.singleScore - plan.score, kept: ensembleWins(plan) };
    };
    expect(behind([10, 70, 130, 20, 80])).toEqual({ gap: expect.closeTo(2 / 150, 9), kept: true });
    expect(behind([10, 70, 130, 20, 50, 80, 110, 140])).toEqual({
      gap: expect.closeTo(5 / 150, 9),
      kept: false,
    });
  });

  it("keeps the single best candidate when no blend beats it", () => {
    const truth = Array.from(y);
    const pool = [
      candidate("exact", 1, truth, 0.98),
      candidate("b", 0.8, erring(1)),
      candidate("c", 0.8, erring(2)),
    ];
    const plan = planEnsemble(pool, data);
    expect(plan === null || !chooseEnsemble(plan, Number.POSITIVE_INFINITY)).toBe(true);
    // One candidate alone makes no ensemble.
    expect(planEnsemble([pool[0]], data)).toBeNull();
  });
});
