/**
 * Hyperparameter constraints as data (STYLE R20): each parameter is a zod schema with its default and a
 * constraint text, and every failure reads "The 'maxDepth' parameter of DecisionTree must be an integer in
 * [1, 64]. Got 0." Typed text ("100", "none", "true") is accepted, since the bot forwards what users type.
 */
import { z } from "zod";

const NUMERIC_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function fromText(v: unknown): unknown {
  if (typeof v !== "string") return v;
  const s = v.trim();
  if (NUMERIC_TEXT.test(s)) return Number(s);
  const lower = s.toLowerCase();
  if (lower === "none" || lower === "null") return null;
  if (lower === "true" || lower === "false") return lower === "true";
  return s;
}

function fmt(n: number): string {
  return Number.isFinite(n) ? String(n) : n > 0 ? "inf" : "-inf";
}

/** An integer in [min, max] with a default. */
export function intParam(min: number, max: number, def: number) {
  const text = `an integer in [${fmt(min)}, ${fmt(max)}]`;
  return z.preprocess(fromText, z.number().int().min(min).max(max)).default(def).describe(text);
}

/** An integer in [min, max] or None (unlimited), default None unless given. */
export function optionalIntParam(min: number, max: number, def: number | null = null) {
  const text = `an integer in [${fmt(min)}, ${fmt(max)}] or None`;
  return z.preprocess(fromText, z.number().int().min(min).max(max).nullable()).default(def).describe(text);
}

/** A real number in an interval; `open` marks which ends are excluded. */
export function realParam(
  min: number,
  max: number,
  def: number,
  open: { min?: boolean; max?: boolean } = {},
) {
  const text = `a float in ${open.min ? "(" : "["}${fmt(min)}, ${fmt(max)}${open.max ? ")" : "]"}`;
  let inner = z.number().refine((v) => Number.isFinite(v) || v === max);
  inner = inner.refine((v) => (open.min ? v > min : v >= min) && (open.max ? v < max : v <= max));
  return z.preprocess(fromText, inner).default(def).describe(text);
}

export function enumParam<const T extends readonly [string, ...string[]]>(options: T, def: T[number]) {
  const text = `a str among {${options.map((o) => `'${o}'`).join(", ")}}`;
  return z
    .preprocess(fromText, z.enum(options))
    .default(def as never)
    .describe(text);
}

export function boolParam(def: boolean) {
  return z.preprocess(fromText, z.boolean()).default(def).describe("a bool");
}

/** A list of layer sizes such as [100] or [64, 32]; text "64,32" is accepted. */
export function layersParam(def: number[]) {
  const text = "a list of 1 to 3 integers in [1, 1024]";
  const parse = (v: unknown) =>
    typeof v === "string"
      ? v
          .replace(/[[\]()\s]/g, "")
          .split(",")
          .filter(Boolean)
          .map(Number)
      : v;
  return z
    .preprocess(parse, z.array(z.number().int().min(1).max(1024)).min(1).max(3))
    .default(def)
    .describe(text);
}

/** A positive number or one of the named choices (e.g. SVM gamma: "scale", "auto" or 0.01). */
export function numberOrEnumParam<const T extends readonly [string, ...string[]]>(
  options: T,
  def: T[number],
) {
  const text = `a float in (0, inf) or a str among {${options.map((o) => `'${o}'`).join(", ")}}`;
  return z
    .preprocess(fromText, z.union([z.enum(options), z.number().positive().finite()]))
    .default(def as never)
    .describe(text);
}

export function describeValue(v: unknown): string {
  if (typeof v === "string") return `'${v}'`;
  if (v === null) return "None";
  if (Array.isArray(v)) return `[${v.map(describeValue).join(", ")}]`;
  return String(v);
}

/** "auto" or a bool (scikit-learn's early_stopping). */
export function autoOrBoolParam(def: "auto" | boolean) {
  return z
    .preprocess(fromText, z.union([z.literal("auto"), z.boolean()]))
    .default(def as never)
    .describe("'auto' or a bool");
}
