/**
 * What the bot shows and remembers about a dataset once read: the shape, each column's type, missing share
 * and distinct count, the task each column would give as a target (or why it cannot be one), and the
 * suggested schema. Every column is profiled once; the suggestion and the tasks reuse those profiles.
 */
import { profileColumn } from "./profile.js";
import { suggestFromProfiles, taskOfProfile } from "./schema.js";
import type { ColumnProfile, ColumnType, Frame, SchemaSuggestion, Task } from "./types.js";

export interface DatasetDescription {
  nRows: number;
  nColumns: number;
  missingCells: number;
  columns: Array<{
    name: string;
    type: ColumnType;
    missingPct: number;
    unique: number;
    /** The task this column would give as a target, or why it cannot be one. */
    task?: Task;
    targetProblem?: string;
  }>;
  suggestion: SchemaSuggestion;
}

/** @param maxColumnsDescribed - columns listed in the description (the shape still counts them all) */
export function describeFrame(frame: Frame, maxColumnsDescribed = 1000): DatasetDescription {
  const profiles = frame.columns.map((c) => profileColumn(c, frame.nRows));
  return {
    nRows: frame.nRows,
    nColumns: frame.columns.length,
    missingCells: profiles.reduce((sum, p) => sum + p.missing, 0),
    columns: profiles.slice(0, maxColumnsDescribed).map((p) => ({
      name: p.name,
      type: p.type,
      missingPct: Math.round(p.missingPct * 10) / 10,
      unique: p.unique,
      ...targetInfo(p, frame.nRows),
    })),
    suggestion: suggestFromProfiles(profiles, frame.nRows),
  };
}

/** Whether the column could be a target, and for which task; ids and free text never are. */
function targetInfo(profile: ColumnProfile, nRows: number): { task?: Task; targetProblem?: string } {
  if (profile.type === "identifier") return { targetProblem: "it looks like an identifier" };
  if (profile.type === "text") return { targetProblem: "it is free text" };
  try {
    return { task: taskOfProfile(profile, nRows) };
  } catch (error) {
    return { targetProblem: error instanceof Error ? error.message : String(error) };
  }
}
