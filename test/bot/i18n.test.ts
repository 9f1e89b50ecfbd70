/**
 * Guards both dictionaries: same key tree, Portuguese actually translated, user input escaped, balanced HTML,
 * and no function that throws or renders nothing. Sample arguments are derived from each function's parameter
 * names (read from its source), so new keys are covered without touching this file.
 */
import { describe, expect, it } from "vitest";
import { en } from "../../src/bot/i18n/en.js";
import { pt } from "../../src/bot/i18n/pt.js";

type Fn = (...args: unknown[]) => string;
interface Leaf {
  path: string;
  value: string | Fn;
}

const DICTIONARIES = { en, pt } as Record<string, unknown>;
const HOSTILE = '<script>&"';
const HOSTILE_ESCAPED = "&lt;script&gt;&amp;&quot;";

/** Parameters that are numbers (formatted or counted inside the text). */
const NUMBER_PARAMS = new Set([
  ...["n", "rows", "cols", "cells", "mb", "limitMb", "confidence", "total", "page", "pages"],
  ...["position", "index", "errCode", "attempt", "utilization", "online", "busy", "waitMinutes"],
]);
/** Parameters that carry HTML the caller already built (lists of code() names, metric and job summaries). */
const HTML_PARAMS = new Set(["names", "cols", "detail", "what", "metric"]);
/** Parameters that carry our own formatted values (money, duration, pct, num, status emoji): not user input. */
const FORMATTED_PARAMS = new Set([
  ...["minutes", "cost", "rate", "t", "c", "v", "max", "left", "perJob", "spent", "took", "size"],
  ...["duration", "q1", "q2", "q3", "status", "used"],
]);
/** Parameters escaped by the caller for one key only (location.offer gets `esc(offer.label)`). */
const PRE_ESCAPED = new Set(["location.offer:label"]);
/** Paths whose long en and pt texts may really be the same (tags, emojis, commands and sample values are ignored already). Keep it small. */
const SAME_IN_BOTH = new Set<string>(["progress.gpu", "predict.cloudNames.runpod"]);

const SAMPLE_HTML = "<code>age</code>, <code>income</code> +3";
const SAMPLE_FORMATTED = "$1.20";
const PLAUSIBLE_TEXT: Record<string, string> = {
  name: "Churn forecast",
  fileName: "sales_2024.csv",
  file: "sales_2024.csv",
  url: "https://example.com/f/abc.csv",
  message: "Value must be between 1 and 10",
  reason: "it has only one value",
  date: "2024-05-01",
  when: "2024-05-01 10:22",
};

function leaves(node: unknown, path = ""): Leaf[] {
  if (typeof node === "string" || typeof node === "function") return [{ path, value: node as string | Fn }];
  if (node === null || typeof node !== "object") throw new Error(`${path}: unexpected ${typeof node}`);
  return Object.entries(node).flatMap(([key, child]) => leaves(child, path ? `${path}.${key}` : key));
}

/** The key tree with functions replaced by their arity, so toEqual shows exactly what differs. */
function shape(node: unknown): unknown {
  if (typeof node === "function") return `function/${node.length}`;
  if (typeof node !== "object" || node === null) return typeof node;
  return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, shape(child)]));
}

/** A parameter, or a property read from an object parameter (`p.column` → key "column"). */
interface Slot {
  param: string;
  key?: string;
}

function parameterNames(fn: Fn): string[] {
  const source = fn.toString();
  const list = /^\s*(?:function\b[^(]*)?\(([^)]*)\)/.exec(source)?.[1] ?? /^\s*(\w+)\s*=>/.exec(source)?.[1];
  if (list === undefined) throw new Error(`cannot read parameters of ${source.slice(0, 60)}`);
  return list
    .split(",")
    .map((p) => p.split("=")[0].trim())
    .filter(Boolean);
}

function slotsOf(fn: Fn): Slot[] {
  const source = fn.toString();
  return parameterNames(fn).flatMap((param) => {
    const keys = [...source.matchAll(new RegExp(`\\b${param}\\??\\.(\\w+)`, "g"))].map((m) => m[1]);
    const objectKeys = [...new Set(keys)].filter(
      (k) => !/^(toLocaleString|toFixed|toString|length)$/.test(k),
    );
    return objectKeys.length > 0 ? objectKeys.map((key) => ({ param, key })) : [{ param }];
  });
}

type Kind = "number" | "html" | "formatted" | "text";

function kindOf(path: string, fn: Fn, slot: Slot): Kind {
  const name = slot.key ?? slot.param;
  const numericUse = new RegExp(`\\b${name}\\.(toLocaleString|toFixed)|Math\\.\\w+\\(${name}\\b`);
  if (NUMBER_PARAMS.has(name) || numericUse.test(fn.toString())) return "number";
  if (HTML_PARAMS.has(name)) return "html";
  if (FORMATTED_PARAMS.has(name) || PRE_ESCAPED.has(`${path}:${name}`)) return "formatted";
  return "text";
}

function plausible(kind: Kind, name: string): unknown {
  if (kind === "number") return name === "confidence" ? 0.87 : 1234;
  if (kind === "html") return SAMPLE_HTML;
  if (kind === "formatted") return SAMPLE_FORMATTED;
  return PLAUSIBLE_TEXT[name] ?? `sample ${name}`;
}

/** Calls `fn` with plausible arguments, replacing the slot `hostile` (if given) with HOSTILE. */
function callWith(path: string, fn: Fn, hostile?: Slot): string {
  const args = parameterNames(fn).map((param) => {
    const slots = slotsOf(fn).filter((s) => s.param === param);
    const argumentFor = (s: Slot) =>
      hostile && s.param === hostile.param && s.key === hostile.key
        ? HOSTILE
        : plausible(kindOf(path, fn, s), s.key ?? s.param);
    if (slots.some((s) => s.key)) return Object.fromEntries(slots.map((s) => [s.key, argumentFor(s)]));
    return argumentFor(slots[0]);
  });
  return fn(...args);
}

const TAGS = new Set(["b", "i", "code", "pre", "a", "u", "s"]);

/** Problems with the HTML: unknown tags, closing tags out of order, tags left open. Empty when balanced. */
function htmlProblems(html: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  for (const [, closing, tag] of html.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^>]*>/g)) {
    if (!TAGS.has(tag)) problems.push(`unknown tag <${closing}${tag}>`);
    else if (!closing) stack.push(tag);
    else if (stack.pop() !== tag) problems.push(`</${tag}> closes nothing open`);
  }
  return [...problems, ...stack.map((tag) => `<${tag}> never closed`)];
}

/** Text a translator would have to translate: no tags, entities, commands, sample values or emojis. */
function hasProse(text: string): boolean {
  let rest = text;
  for (const value of [SAMPLE_HTML, SAMPLE_FORMATTED, ...Object.values(PLAUSIBLE_TEXT)])
    rest = rest.replaceAll(value, " ");
  rest = rest
    .replace(/<[^>]+>/g, " ")
    .replace(/&\w+;/g, " ")
    .replace(/sample \w+/g, " ")
    .replace(/\/\w+/g, " ");
  return /\p{L}{2,}/u.test(rest);
}

const enLeaves = leaves(en);
const functionLeaves = Object.entries(DICTIONARIES).flatMap(([language, dictionary]) =>
  leaves(dictionary)
    .filter((leaf): leaf is { path: string; value: Fn } => typeof leaf.value === "function")
    .map((leaf) => ({ language, ...leaf })),
);

describe("i18n dictionaries", () => {
  it("pt has exactly the key tree of en (functions with the same arity)", () => {
    expect(enLeaves.length).toBeGreaterThan(100);
    expect(shape(pt)).toEqual(shape(en));
  });

  it("pt is a translation: no long text is left identical to en", () => {
    const ptByPath = new Map(leaves(pt).map((leaf) => [leaf.path, leaf.value]));
    const untranslated = enLeaves.flatMap(({ path, value }) => {
      const other = ptByPath.get(path);
      if (other === undefined || SAME_IN_BOTH.has(path)) return [];
      const [a, b] =
        typeof value === "function" && typeof other === "function"
          ? [callWith(path, value), callWith(path, other)]
          : [value, other];
      return typeof a === "string" && a === b && a.length > 12 && hasProse(a) ? [`${path}: ${a}`] : [];
    });
    expect(untranslated).toEqual([]);
  });

  it("every static string is balanced HTML", () => {
    const problems = Object.entries(DICTIONARIES).flatMap(([language, dictionary]) =>
      leaves(dictionary)
        .filter((leaf) => typeof leaf.value === "string")
        .flatMap(({ path, value }) => htmlProblems(value as string).map((p) => `${language}.${path}: ${p}`)),
    );
    expect(problems).toEqual([]);
  });

  it("every function escapes each text argument and returns balanced HTML", () => {
    const problems: string[] = [];
    for (const { language, path, value: fn } of functionLeaves) {
      for (const slot of slotsOf(fn).filter((s) => kindOf(path, fn, s) === "text")) {
        const where = `${language}.${path}(${slot.key ? `${slot.param}.${slot.key}` : slot.param})`;
        const html = callWith(path, fn, slot);
        if (html.includes("<script>")) problems.push(`${where}: raw input in ${html}`);
        else if (!html.includes(HOSTILE_ESCAPED)) problems.push(`${where}: input missing from ${html}`);
        problems.push(...htmlProblems(html).map((p) => `${where}: ${p}`));
      }
    }
    expect(problems).toEqual([]);
  });

  it("every function renders something with plausible arguments", () => {
    const problems: string[] = [];
    for (const { language, path, value: fn } of functionLeaves) {
      const where = `${language}.${path}`;
      try {
        const html = callWith(path, fn);
        if (typeof html !== "string" || html.trim() === "") problems.push(`${where}: empty`);
        else if (/undefined|NaN|\[object /.test(html)) problems.push(`${where}: ${html}`);
        else problems.push(...htmlProblems(html).map((p) => `${where}: ${p}`));
      } catch (error) {
        problems.push(`${where}: threw ${String(error)}`);
      }
    }
    expect(functionLeaves.length).toBeGreaterThan(100);
    expect(problems).toEqual([]);
  });

  it("Portuguese formats numbers the Brazilian way", () => {
    expect(pt.schema.shape(12345, 7)).toContain("12.345");
    expect(pt.files.tooBig(2.5, 20)).toContain("2,5 MB");
    expect(en.schema.shape(12345, 7)).toContain("12,345");
  });
});
