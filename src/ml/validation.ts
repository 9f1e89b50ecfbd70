/**
 * Input validation with actionable messages (STYLE R21): finite design matrices, consistent lengths, and the
 * schema check at prediction time, which names missing and retyped columns and matches names that differ
 * only in case or whitespace.
 */
import { SchemaMismatchError } from "./errors.js";
import { detectDayOrder, parseDate } from "./io/dates.js";
import type { Matrix } from "./matrix.js";
import type {
  CategoricalColumn,
  Column,
  ColumnType,
  Frame,
  ModelDocument,
  NumericColumn,
  SchemaReport,
} from "./types.js";

/** Throws unless every value is finite; the cheap sum check runs first, the column search only on failure. */
export function checkMatrix(X: Matrix, names?: string[]): void {
  let s = 0;
  for (let i = 0; i < X.data.length; i++) s += X.data[i];
  if (Number.isFinite(s)) return;
  for (let i = 0; i < X.data.length; i++) {
    if (!Number.isFinite(X.data[i])) {
      const j = i % X.cols;
      const name = names?.[j] ?? `column ${j}`;
      throw new RangeError(
        `Input contains NaN or infinity in '${name}' (row ${Math.floor(i / X.cols)}). Impute it first.`,
      );
    }
  }
}

export function checkConsistentLength(...lengths: number[]): void {
  if (new Set(lengths).size > 1) {
    throw new RangeError(`Found inputs with inconsistent numbers of samples: [${lengths.join(", ")}].`);
  }
}

/** Normal form for name matching: case and whitespace do not count. */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\s+/g, " ");
}

type Feature = ModelDocument["features"][number];

/**
 * Finds and coerces the input column for every model feature.
 * @param allowed - when given, only these input columns are considered
 */
export function checkSchema(
  features: Feature[],
  frame: Frame,
  allowed?: string[],
): { columns: Column[]; report: SchemaReport } {
  const pool = allowed ? frame.columns.filter((c) => allowed.includes(c.name)) : frame.columns;
  const byNormal = new Map<string, Column>();
  for (const c of pool) if (!byNormal.has(normalizeName(c.name))) byNormal.set(normalizeName(c.name), c);
  const used = new Set<string>();
  const missing: string[] = [];
  const retyped: string[] = [];
  const renamed: Array<[string, string]> = [];
  const columns: Column[] = [];
  for (const f of features) {
    const col = pool.find((c) => c.name === f.name) ?? byNormal.get(normalizeName(f.name));
    if (!col) {
      missing.push(f.name);
      continue;
    }
    used.add(col.name);
    if (col.name !== f.name) renamed.push([col.name, f.name]);
    const coerced = coerceColumn(col, f);
    if (typeof coerced === "string") retyped.push(coerced);
    else columns.push(coerced);
  }
  if (missing.length > 0 || retyped.length > 0) {
    const parts: string[] = [];
    if (missing.length > 0)
      parts.push(`missing columns the model needs: ${missing.map((m) => `"${m}"`).join(", ")}`);
    if (retyped.length > 0) parts.push(retyped.join("; "));
    throw new SchemaMismatchError(`The file does not match the model: ${parts.join("; ")}.`, {
      missing,
      retyped,
    });
  }
  const ignored = frame.columns.map((c) => c.name).filter((n) => !used.has(n));
  return { columns, report: { renamed, ignored } };
}

const NUMERIC_TYPES: ColumnType[] = ["numeric", "integer", "boolean"];
const TRUE_TEXT = new Set(["true", "yes", "y", "t"]);
const FALSE_TEXT = new Set(["false", "no", "n", "f"]);

/** The column in the shape the model expects, or a message saying why it cannot be. */
function coerceColumn(col: Column, f: Feature): Column | string {
  const wantsNumber = NUMERIC_TYPES.includes(f.type);
  if (wantsNumber || f.type === "datetime") {
    if ("values" in col) {
      if ((col.type === "datetime") === (f.type === "datetime")) return col;
      return `"${col.name}" should be ${f.type} but is ${col.type}`;
    }
    const order = detectDayOrder(col.levels);
    const parse = f.type === "datetime" ? (s: string) => parseDate(s, order) : parseNumberText;
    const table = col.levels.map(parse);
    const bad = col.levels.findIndex((_, k) => Number.isNaN(table[k]));
    if (bad >= 0) return `"${col.name}" should be ${f.type} but contains text such as "${col.levels[bad]}"`;
    const values = new Float64Array(col.codes.length);
    for (let i = 0; i < values.length; i++) values[i] = col.codes[i] < 0 ? Number.NaN : table[col.codes[i]];
    return { name: col.name, type: f.type as NumericColumn["type"], values };
  }
  if ("codes" in col) return col;
  return numbersToLevels(col, f.levels ?? []);
}

function parseNumberText(s: string): number {
  const t = s.trim().toLowerCase();
  if (TRUE_TEXT.has(t)) return 1;
  if (FALSE_TEXT.has(t)) return 0;
  return t === "" ? Number.NaN : Number(t);
}

/** Numbers in a column the model saw as text (zip codes, ratings): match them to the training levels. */
function numbersToLevels(col: NumericColumn, levels: string[]): CategoricalColumn {
  const byValue = new Map<number, string>();
  for (const l of levels) {
    const v = parseNumberText(l);
    if (!Number.isNaN(v) && !byValue.has(v)) byValue.set(v, l);
  }
  const index = new Map<string, number>();
  const outLevels: string[] = [];
  const codes = new Int32Array(col.values.length);
  col.values.forEach((v, i) => {
    if (Number.isNaN(v)) {
      codes[i] = -1;
      return;
    }
    const text = byValue.get(v) ?? String(v);
    let code = index.get(text);
    if (code === undefined) {
      code = outLevels.length;
      index.set(text, code);
      outLevels.push(text);
    }
    codes[i] = code;
  });
  return { name: col.name, type: "categorical", codes, levels: outLevels };
}
