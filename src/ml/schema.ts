/**
 * Schema detection: which column is the target, which task, which features. Fixes the original's failures:
 * an id column is never suggested, few-valued numeric targets (0/1, ratings 1–5) are classification, and a
 * one-class target is refused with a clear error. The user can always override the suggestion.
 */
import { DataError, NoUsableTargetError } from "../errors.js";
import { profileColumn } from "./profile.js";
import type { Column, ColumnProfile, Frame, SchemaSuggestion, Task } from "./types.js";

const TARGET_NAME =
  /(^|[^a-z])(target|label|class|classe|y|price|outcome|result|response|species|diagnosis|churn|churned|survived|default|fraud|quality|grade|status|sales|revenue|salary|progression|cultivar|income|score|rating|category)($|[^a-z])/i;
/** Integer columns with at most this many distinct values are class labels, not quantities. */
export const MAX_INTEGER_CLASSES = 20;

export function findColumn(frame: Frame, name: string): Column {
  const col = frame.columns.find((c) => c.name === name);
  if (!col) {
    throw new DataError(`There is no column named "${name}".`, {
      column: name,
      available: frame.columns.map((c) => c.name),
    });
  }
  return col;
}

/** Task for a chosen target; throws NoUsableTargetError for a one-class/empty target. */
export function detectTask(frame: Frame, target: string): Task {
  return taskOfProfile(profileColumn(findColumn(frame, target), frame.nRows), frame.nRows);
}

/** detectTask from a column's profile (computed once by whoever also needs it). */
export function taskOfProfile(profile: ColumnProfile, nRows: number): Task {
  const target = profile.name;
  if (profile.unique === 0) {
    throw new NoUsableTargetError(`The column "${target}" is empty, so it cannot be the target.`, { target });
  }
  if (profile.unique === 1) {
    const only =
      profile.top?.[0]?.value ??
      (profile.type === "boolean" ? String(profile.min === 1) : String(profile.min));
    throw new NoUsableTargetError(
      `The column "${target}" has only one value (${only}), so there is nothing to predict.`,
      { target },
    );
  }
  return taskFor(profile, nRows - profile.missing);
}

function taskFor(p: ColumnProfile, present: number): Task {
  if (p.type === "numeric" || p.type === "datetime") return "regression";
  if (p.type === "integer") {
    return p.unique <= MAX_INTEGER_CLASSES && p.unique <= Math.max(2, present / 2)
      ? "classification"
      : "regression";
  }
  return "classification";
}

interface Candidate {
  profile: ColumnProfile;
  task: Task;
  score: number;
  nameMatch: boolean;
}

export function suggestSchema(frame: Frame): SchemaSuggestion {
  return suggestFromProfiles(
    frame.columns.map((c) => profileColumn(c, frame.nRows)),
    frame.nRows,
  );
}

/** suggestSchema from the columns' profiles (computed once by whoever also needs them). */
export function suggestFromProfiles(profiles: ColumnProfile[], nRows: number): SchemaSuggestion {
  const candidates: Candidate[] = [];
  profiles.forEach((p, j) => {
    if (!isTargetCandidate(p)) return;
    const task = taskFor(p, nRows - p.missing);
    const nameMatch = TARGET_NAME.test(p.name);
    let score = nameMatch ? 10 : 0;
    if (j === profiles.length - 1) score += 3;
    if (task === "classification" && p.unique <= 20) score += 4;
    if (task === "regression" && p.unique / Math.max(1, nRows - p.missing) > 0.5) score += 2;
    score += (100 - p.missingPct) / 20;
    candidates.push({ profile: p, task, score, nameMatch });
  });
  candidates.sort((a, b) => b.score - a.score);
  const best = candidates[0];
  if (!best) {
    return {
      target: null,
      task: null,
      features: featureNames(profiles, null),
      confidence: 0,
      reason:
        "No column can be a target: every column is an id, free text, a date, constant or mostly empty.",
    };
  }
  const margin = candidates[1] ? best.score - candidates[1].score : best.score;
  const confidence = Math.round(Math.min(0.95, 0.4 + margin / 20 + (best.nameMatch ? 0.2 : 0)) * 100) / 100;
  return {
    target: best.profile.name,
    task: best.task,
    features: featureNames(profiles, best.profile.name),
    confidence,
    reason: reasonFor(best, nRows),
  };
}

function isTargetCandidate(p: ColumnProfile): boolean {
  if (p.type === "identifier" || p.type === "text" || p.type === "datetime") return false;
  if (p.unique < 2 || p.missingPct > 5) return false;
  if (p.type === "categorical" && p.unique > 50) return false;
  return true;
}

/** Features: everything but the target, ids, free text, constant and mostly-empty columns. */
export function featureNames(profiles: ColumnProfile[], target: string | null): string[] {
  return profiles
    .filter((p) => p.name !== target && p.type !== "identifier" && p.type !== "text")
    .filter((p) => p.unique >= 2 && p.missingPct <= 80)
    .map((p) => p.name);
}

function reasonFor(c: Candidate, nRows: number): string {
  const p = c.profile;
  const present = Math.max(1, nRows - p.missing);
  const parts = [
    p.type,
    c.task === "classification" ? `${p.unique} classes` : `${Math.round((100 * p.unique) / present)}% unique`,
  ];
  if (c.nameMatch) parts.push("name matches a common target name");
  return `\`${p.name}\`: ${parts.join(", ")} → ${c.task}`;
}
