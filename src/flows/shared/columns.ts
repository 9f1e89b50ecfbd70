/**
 * Columns typed by users: names (case- and space-insensitive), 1-based numbers as shown in the pickers, and
 * ranges — "1-5, price, 8". Pure, so the machines can validate typed input without I/O.
 */

export type ColumnParse = { ok: true; columns: string[] } | { ok: false; unknown: string[] };

const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, " ");

/** Resolves one typed token (a name or a number) to a column name. */
export function resolveColumn(token: string, columns: readonly string[]): string | undefined {
  const t = token.trim().replace(/^[`'"]|[`'"]$/g, "");
  if (/^\d+$/.test(t)) return columns[Number(t) - 1];
  return columns.find((c) => c === t) ?? columns.find((c) => norm(c) === norm(t));
}

/** Parses "1-5, price, 8" into column names, in column order, without duplicates. */
export function parseColumnList(text: string, columns: readonly string[]): ColumnParse {
  const chosen = new Set<string>();
  const unknown: string[] = [];
  for (const raw of text.split(/[,;\n]+/)) {
    const token = raw.trim();
    if (!token) continue;
    const range = /^(\d+)\s*[-–]\s*(\d+)$/.exec(token);
    if (range) {
      const [from, to] = [Number(range[1]), Number(range[2])].sort((a, b) => a - b);
      if (from < 1 || to > columns.length) {
        unknown.push(token);
        continue;
      }
      for (let i = from; i <= to; i++) chosen.add(columns[i - 1]);
      continue;
    }
    const column = resolveColumn(token, columns);
    if (column === undefined) unknown.push(token);
    else chosen.add(column);
  }
  if (unknown.length > 0) return { ok: false, unknown };
  return { ok: true, columns: columns.filter((c) => chosen.has(c)) };
}
