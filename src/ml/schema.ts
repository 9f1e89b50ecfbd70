/**
 * Schema detection: which column is the target, which task, which features. Fixes the original's failures:
 * an id column is never suggested, few-valued numeric targets (0/1, ratings 1–5) are classification, and a
 * one-class target is refused with a clear error. The user can always override the suggestion.
 */
import { DataError, NoUsableTargetError } from "./errors.js";
import { profileColumn } from "./profile.js";
import type { Column, ColumnProfile, ExcludedColumn, Frame, SchemaSuggestion, Task } from "./types.js";

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

/**
 * The target guess. Every column that can be a target gets a score, and the highest wins:
 *
 *   +10  its name is outcome-like (OUTCOME_WORDS: price, target, label, class, y, outcome, result, spend,
 *        sales, revenue, amount, mpg, survived, churn, default, … and Portuguese: preço, valor, vendas, receita,
 *        gasto, nota, aprovado, inadimplente, evasão, …), matched word by word (snake_case, camelCase, spaces,
 *        accents ignored)
 *    −6  its name is input-like (INPUT_WORDS: age, sex, date, year, name, city, region, store, … in both
 *        languages) and not outcome-like
 *    +3  it is the last column (where tables usually keep the target)
 *    +4  it is a class label: binary or 2–20 classes (text, booleans, integers with few values)
 *    +2  it is a measured quantity: numeric with more than half of its values distinct
 *    −missing% / 10
 *
 * Never a target: identifiers, dates, free text, near-unique text (more than half of the values distinct and
 * over 20 of them, like names), categories with more than 50 values, constant or over 30% empty columns.
 * The same near-unique text, free text and ids are left out of the default features, with the reason.
 */
const OUTCOME_WORDS = new Set([
  ...["target", "label", "class", "y", "outcome", "result", "response", "price", "spend", "spending"],
  ...["sales", "revenue", "amount", "mpg", "survived", "survival", "churn", "churned", "default"],
  ...["defaulted", "fraud", "fraudulent", "diagnosis", "species", "quality", "grade", "status", "salary"],
  ...["income", "score", "rating", "charges", "cost", "profit", "readmitted", "attrition", "approved"],
  ...["spam", "progression", "cultivar", "converted", "purchased", "subscribed", "passed", "demand"],
  // Portuguese
  ...["alvo", "rotulo", "classe", "resultado", "resposta", "preco", "valor", "venda", "vendas", "receita"],
  ...["faturamento", "gasto", "gastos", "salario", "renda", "nota", "aprovado", "aprovada", "sobreviveu"],
  ...["evasao", "cancelou", "inadimplente", "inadimplencia", "fraude", "diagnostico", "especie"],
  ...["qualidade", "situacao", "consumo", "lucro", "custo", "demanda"],
]);
/** Multi-word outcome names, as their words run together. */
const OUTCOME_PHRASES = ["milespergallon"];
const INPUT_WORDS = new Set([
  ...["age", "sex", "gender", "name", "date", "year", "month", "day", "week", "weekday", "hour", "time"],
  ...["city", "state", "country", "region", "zip", "address", "phone", "email", "store", "id"],
  // Portuguese
  ...["idade", "sexo", "genero", "nome", "data", "ano", "mes", "dia", "semana", "hora", "cidade"],
  ...["estado", "pais", "regiao", "cep", "endereco", "telefone", "loja", "bairro"],
]);
/** Text columns with more distinct values than this, and more than half distinct, are near-unique. */
const NEAR_UNIQUE_MIN = 20;
/** Columns more than this % empty are never a target. */
const MAX_TARGET_MISSING_PCT = 30;

/** A column's name as lowercase words without accents: "MonthlySpend" → ["monthly", "spend"]. */
export function nameWords(name: string): string[] {
  return name
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function isOutcomeName(name: string): boolean {
  const words = nameWords(name);
  return words.some((w) => OUTCOME_WORDS.has(w)) || OUTCOME_PHRASES.includes(words.join(""));
}

function isInputName(name: string): boolean {
  return nameWords(name).some((w) => INPUT_WORDS.has(w));
}

/** Text with many distinct values (names, titles): neither a target nor a useful default feature. */
function isNearUniqueText(p: ColumnProfile, nRows: number): boolean {
  const present = nRows - p.missing;
  return p.type === "categorical" && p.unique > NEAR_UNIQUE_MIN && p.unique > 0.5 * present;
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
  const candidates = profiles
    .map((p, j) => candidateOf(p, j === profiles.length - 1, nRows))
    .filter((c): c is Candidate => c !== undefined)
    .sort((a, b) => b.score - a.score);
  const best = candidates[0];
  const excluded = excludedColumns(profiles, nRows);
  if (!best) {
    return {
      target: null,
      task: null,
      features: featureNames(profiles, null, nRows),
      confidence: 0,
      reason:
        "No column can be a target: every column is an id, free text, a date, constant or mostly empty.",
      excluded,
    };
  }
  const margin = candidates[1] ? best.score - candidates[1].score : best.score;
  const confidence = Math.round(Math.min(0.95, 0.4 + margin / 20 + (best.nameMatch ? 0.2 : 0)) * 100) / 100;
  return {
    target: best.profile.name,
    task: best.task,
    features: featureNames(profiles, best.profile.name, nRows),
    confidence,
    reason: reasonFor(best, nRows),
    excluded,
  };
}

function candidateOf(p: ColumnProfile, last: boolean, nRows: number): Candidate | undefined {
  if (p.type === "identifier" || p.type === "text" || p.type === "datetime") return undefined;
  if (p.unique < 2 || p.missingPct > MAX_TARGET_MISSING_PCT || isNearUniqueText(p, nRows)) return undefined;
  if (p.type === "categorical" && p.unique > 50) return undefined;
  const present = nRows - p.missing;
  const task = taskFor(p, present);
  const nameMatch = isOutcomeName(p.name);
  let score = nameMatch ? 10 : isInputName(p.name) ? -6 : 0;
  if (last) score += 3;
  if (task === "classification" && p.unique <= MAX_INTEGER_CLASSES) score += 4;
  if (task === "regression" && p.unique / Math.max(1, present) > 0.5) score += 2;
  score -= p.missingPct / 10;
  return { profile: p, task, score, nameMatch };
}

/** Columns left out of the default features, and why. */
function excludedColumns(profiles: ColumnProfile[], nRows: number): ExcludedColumn[] {
  return profiles.flatMap((p): ExcludedColumn[] => {
    const reason = exclusionReason(p, nRows);
    return reason ? [{ column: p.name, reason, distinct: p.unique, rows: nRows - p.missing }] : [];
  });
}

function exclusionReason(p: ColumnProfile, nRows: number): ExcludedColumn["reason"] | undefined {
  if (p.type === "identifier") return "identifier";
  if (p.type === "text") return "freeText";
  if (isNearUniqueText(p, nRows)) return "nearUnique";
  if (p.unique < 2) return "constant";
  if (p.missingPct > 80) return "mostlyEmpty";
  return undefined;
}

/** Features: everything but the target, ids, free and near-unique text, constant and mostly-empty columns. */
export function featureNames(profiles: ColumnProfile[], target: string | null, nRows: number): string[] {
  return profiles.filter((p) => p.name !== target && !exclusionReason(p, nRows)).map((p) => p.name);
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
