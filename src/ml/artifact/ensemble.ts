/**
 * The ensemble model kind: a weighted blend of single models (auto mode makes it, auto/ensemble.ts). The
 * document holds its members' own model documents as data, so it is signed, stored and loaded like any model
 * and predicts wherever predict.ts runs: averaged class probabilities, or averaged predictions for regression.
 * Members cannot be ensembles themselves, and their number and the model's size are bounded.
 */
import { z } from "zod";
import { ModelError } from "../errors.js";
import type { FeatureImportance, ModelDocument } from "../types.js";

export const ENSEMBLE_MODEL = "ensemble";

export interface EnsembleLimits {
  maxMembers: number;
  /** model.json and its binary sidecar together. */
  maxBytes: number;
}

export const ENSEMBLE_LIMITS: EnsembleLimits = { maxMembers: 8, maxBytes: 512 * 1024 * 1024 };

export interface EnsembleMember {
  /** The candidate's leaderboard label, e.g. "Random forest (sqrt features)". */
  label: string;
  /** Share of the blend (the weights sum to 1). */
  weight: number;
  model: ModelDocument;
}

const memberSchema = z.object({
  label: z.string().min(1).max(200),
  weight: z.number().finite().nonnegative(),
  model: z.object({ modelType: z.string() }).passthrough(),
});

export function isEnsemble(model: ModelDocument): boolean {
  return model.modelType === ENSEMBLE_MODEL;
}

/** An ensemble's members, weights normalised to sum to 1 (the document was checked when it was loaded). */
export function ensembleMembers(model: ModelDocument): EnsembleMember[] {
  const { members } = model.fitted as { members: EnsembleMember[] };
  const total = members.reduce((s, m) => s + m.weight, 0);
  return members.map((m) => ({ ...m, weight: m.weight / total }));
}

/** "Ensemble of Histogram boosting, Random forest, Logistic regression" (members by weight, largest first). */
export function ensembleLabel(members: Array<Pick<EnsembleMember, "label" | "weight">>): string {
  const names = [...members].sort((a, b) => b.weight - a.weight).map((m) => m.label);
  return `Ensemble of ${names.join(", ")}`;
}

/**
 * The ensemble document of `members` (single models trained on the same rows, features and target). The
 * training profile and the shared fields are the first member's; members keep no profile of their own.
 */
export function ensembleDocument(members: EnsembleMember[]): ModelDocument {
  const [first] = members;
  const { trainingProfile, ...shared } = first.model;
  return {
    ...shared,
    modelType: ENSEMBLE_MODEL,
    hyperparameters: {},
    preprocessing: null,
    fitted: {
      members: members.map(({ label, weight, model }) => {
        const { trainingProfile: _, ...rest } = model;
        return { label, weight, model: rest };
      }),
    },
    ...(trainingProfile ? { trainingProfile } : {}),
  };
}

/**
 * Refuses an ensemble that is malformed, nests ensembles, has too many members, members that disagree with it
 * on task, target, classes or features, or no positive weight. `checkMember` checks each member as a model.
 */
export function checkEnsemble(
  model: ModelDocument,
  checkMember: (member: ModelDocument) => void,
  limits: EnsembleLimits = ENSEMBLE_LIMITS,
): void {
  const parsed = z
    .object({ members: z.array(memberSchema).min(2).max(limits.maxMembers) })
    .safeParse(model.fitted);
  if (!parsed.success) {
    throw new ModelError(
      `The ensemble model file is not valid: it needs 2 to ${limits.maxMembers} members with a label and a weight.`,
    );
  }
  const members = parsed.data.members as unknown as EnsembleMember[];
  if (!members.some((m) => m.weight > 0)) throw new ModelError("The ensemble gives no member any weight.");
  const signature = (m: ModelDocument) =>
    JSON.stringify([m.task, m.target, m.classes ?? null, m.features.map((f) => [f.name, f.type])]);
  for (const { model: member } of members) {
    if (isEnsemble(member)) throw new ModelError("An ensemble cannot contain another ensemble.");
    checkMember(member);
    if (signature(member) !== signature(model)) {
      throw new ModelError("An ensemble member predicts another target or reads other features.");
    }
  }
}

/** Refuses model files (model.json + sidecar) of an ensemble above the size limit. */
export function checkEnsembleSize(bytes: number, limits: EnsembleLimits = ENSEMBLE_LIMITS): void {
  if (bytes > limits.maxBytes) {
    throw new ModelError(
      `The ensemble model is ${mib(bytes)} MiB; at most ${mib(limits.maxBytes)} MiB is allowed.`,
    );
  }
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

/**
 * The blend's feature importance: each member's importance as shares of its total, weighted by the member's
 * weight (members without importance are left out and the rest reweighted), largest first.
 */
export function blendImportance(
  members: Array<{ weight: number; importance: FeatureImportance[] }>,
): FeatureImportance[] {
  const withAny = members.filter((m) => m.importance.some((f) => f.importance > 0));
  const weightSum = withAny.reduce((s, m) => s + m.weight, 0);
  const totals = new Map<string, number>();
  for (const m of withAny) {
    const total = m.importance.reduce((s, f) => s + Math.max(0, f.importance), 0);
    for (const f of m.importance) {
      const share = (m.weight / weightSum) * (Math.max(0, f.importance) / total);
      totals.set(f.feature, (totals.get(f.feature) ?? 0) + share);
    }
  }
  return [...totals]
    .map(([feature, importance]) => ({ feature, importance }))
    .sort((a, b) => b.importance - a.importance);
}
