/**
 * The one naming rule for everything users name (templates, model display names), defined here once: the
 * store enforces it, the workflow machines check typed names with it, and the bot's prompts state it from
 * these numbers. A name is letters, digits, spaces, "-" or "_", after trimming, collapsing inner whitespace
 * and NFC normalization; only the length differs by what is named.
 */
import { DataError } from "../errors.js";

export type NamedThing = "template" | "model";

/** Characters per name, by what is named. */
export const NAME_LENGTH: Readonly<Record<NamedThing, { min: number; max: number }>> = {
  template: { min: 1, max: 40 },
  model: { min: 3, max: 40 },
};

const NAME_CHARS = /^[\p{L}\p{Nd}_ -]+$/u;

/** The name as it is kept: NFC, trimmed, inner whitespace collapsed to one space. */
export function cleanName(raw: string): string {
  return raw.normalize("NFC").trim().replace(/\s+/g, " ");
}

/** What is wrong with a typed name, or undefined when it follows the rule. */
export function nameProblem(raw: string, kind: NamedThing): "length" | "characters" | undefined {
  const name = cleanName(raw);
  const { min, max } = NAME_LENGTH[kind];
  if (name.length < min || name.length > max) return "length";
  return NAME_CHARS.test(name) ? undefined : "characters";
}

/** The rule in words, for error recovery hints ("Use 3–40 letters, …"). */
export function nameRuleText(kind: NamedThing): string {
  const { min, max } = NAME_LENGTH[kind];
  return `Use ${min}–${max} letters, digits, spaces, "-" or "_".`;
}

/**
 * The clean name, or a DataError whose recovery hint states the rule.
 * @param what how the message calls the name ("template name")
 */
export function checkedName(raw: string, kind: NamedThing, what = "name"): string {
  if (nameProblem(raw, kind) !== undefined) {
    throw new DataError(
      `That ${what} is not allowed.`,
      { name: raw.slice(0, 80) },
      { recovery: nameRuleText(kind) },
    );
  }
  return cleanName(raw);
}

/** What names are compared by: the same clean-up, ignoring case. */
export function nameKey(name: string): string {
  return cleanName(name).toLowerCase();
}
