/**
 * The tests /stats offers, the columns each one needs (in the order they are asked for), and which columns
 * can fill each role — decided from a column's type and number of distinct values, so the flow can offer only
 * columns that fit without reading the data again.
 */
import type { ColumnType } from "../types.js";

export const STATS_TESTS = [
  "welch",
  "paired",
  "mannWhitney",
  "anova",
  "kruskal",
  "chiSquare",
  "shapiro",
  "dagostino",
  "regression",
] as const;

export type StatsTestId = (typeof STATS_TESTS)[number];

/** What a column must be to fill a role. */
export type ColumnKind = "numeric" | "twoGroups" | "groups" | "categories";

/** The question a column answers; the bot words it. */
export type RoleName =
  | "values"
  | "groups"
  | "before"
  | "after"
  | "rows"
  | "columns"
  | "outcome"
  | "predictor"
  | "sample";

export interface ColumnRole {
  role: RoleName;
  kind: ColumnKind;
}

export const TEST_ROLES: Record<StatsTestId, ColumnRole[]> = {
  welch: [
    { role: "values", kind: "numeric" },
    { role: "groups", kind: "twoGroups" },
  ],
  paired: [
    { role: "before", kind: "numeric" },
    { role: "after", kind: "numeric" },
  ],
  mannWhitney: [
    { role: "values", kind: "numeric" },
    { role: "groups", kind: "twoGroups" },
  ],
  anova: [
    { role: "values", kind: "numeric" },
    { role: "groups", kind: "groups" },
  ],
  kruskal: [
    { role: "values", kind: "numeric" },
    { role: "groups", kind: "groups" },
  ],
  chiSquare: [
    { role: "rows", kind: "categories" },
    { role: "columns", kind: "categories" },
  ],
  shapiro: [{ role: "sample", kind: "numeric" }],
  dagostino: [{ role: "sample", kind: "numeric" }],
  regression: [
    { role: "outcome", kind: "numeric" },
    { role: "predictor", kind: "numeric" },
  ],
};

/** Grouping and category columns may have at most this many distinct values. */
export const MAX_GROUPS = 20;

/** Whether a column (its type and number of distinct non-missing values) can fill a role of this kind. */
export function fitsKind(kind: ColumnKind, column: { type: ColumnType; unique: number }): boolean {
  const { type, unique } = column;
  if (kind === "numeric") return (type === "numeric" || type === "integer") && unique >= 2;
  const groupType = type === "categorical" || type === "boolean" || type === "integer";
  if (kind === "twoGroups") return groupType && unique === 2;
  return groupType && unique >= 2 && unique <= MAX_GROUPS;
}

export function isStatsTest(id: string): id is StatsTestId {
  return (STATS_TESTS as readonly string[]).includes(id);
}
