/**
 * What a sandbox may hand back, checked before it reaches a workflow's context: an ingest's description, and
 * an analysis' result (the shapes the bot's views read field by field, the rest of a report only for being an
 * object; every list bounded). Even a sandbox that went wrong cannot store something malformed or oversized
 * there.
 */
import { z } from "zod";
import type { AnalysisResults } from "../ingest-port.js";

/** What an ingest finds (DatasetDescription). */
export const descriptionSchema = z.object({
  nRows: z.number().int().nonnegative(),
  nColumns: z.number().int().nonnegative(),
  missingCells: z.number().nonnegative(),
  columns: z
    .array(
      z.object({
        name: z.string().max(100_000),
        type: z.enum(["numeric", "integer", "boolean", "categorical", "datetime", "text", "identifier"]),
        missingPct: z.number(),
        unique: z.number().int().nonnegative(),
        task: z.enum(["regression", "classification"]).optional(),
        targetProblem: z.string().max(2000).optional(),
      }),
    )
    .max(1000),
  suggestion: z.object({
    target: z.string().nullable(),
    task: z.enum(["regression", "classification"]).nullable(),
    features: z.array(z.string()).max(1000),
    confidence: z.number(),
    reason: z.string(),
    excluded: z
      .array(
        z.object({
          column: z.string(),
          reason: z.enum(["identifier", "freeText", "nearUnique", "constant", "mostlyEmpty"]),
          distinct: z.number().int().nonnegative(),
          rows: z.number().int().nonnegative(),
        }),
      )
      .max(1000)
      .optional(),
  }),
});

/** Any number, NaN and ±Infinity included (a constant column's correlation is NaN). */
const real = z.custom<number>((v) => typeof v === "number");
const name = z.string().max(100_000);
const correlation = z.object({ r: real, pValue: real });

const overviewSchema = z.object({
  description: descriptionSchema,
  summary: z
    .array(
      z.looseObject({
        name,
        type: z.string(),
        count: real,
        missing: real,
        unique: real,
        numbers: z.record(z.string(), real).optional(),
        top: z
          .array(z.object({ value: name, share: real }))
          .max(10)
          .optional(),
      }),
    )
    .max(1000),
  correlations: z.object({
    columns: z.array(name).max(1000),
    omitted: z.number().int().nonnegative(),
    sampledRows: z.number().int().nonnegative().optional(),
    strongest: z
      .array(z.object({ a: name, b: name, n: real, pearson: correlation, spearman: correlation }))
      .max(100),
  }),
});

const testSchema = z.object({
  outcome: z.discriminatedUnion("ok", [
    z.object({
      ok: z.literal(true),
      report: z.looseObject({
        test: z.string().max(40),
        columns: z.array(name).max(8),
        n: real,
        dropped: real,
        statisticName: z.string().max(8),
        statistic: real,
        pValue: real,
        assumptions: z.array(z.looseObject({})).max(20),
      }),
    }),
    z.object({
      ok: z.literal(false),
      problem: z.object({
        key: z.enum(["tooFewValues", "noVariation", "oneGroup"]),
        params: z.record(z.string(), z.union([z.string().max(100_000), real])),
      }),
    }),
  ]),
});

const driftSchema = z.object({
  report: z
    .object({
      rows: z.number().int().nonnegative(),
      checked: z.number().int().nonnegative(),
      drifting: z
        .array(
          z.looseObject({
            feature: name,
            kind: z.enum(["numeric", "categorical"]),
            psi: real,
            missing: z.object({ training: real, now: real }),
            reasons: z.array(z.enum(["psi", "ks", "range", "unseen"])).max(4),
          }),
        )
        .max(1000),
    })
    .optional(),
});

/** The schema of each analysis' result, by op. */
export const analysisResultSchemas: { [Op in keyof AnalysisResults]: z.ZodType } = {
  overview: overviewSchema,
  test: testSchema,
  drift: driftSchema,
};
