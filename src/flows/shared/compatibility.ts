/** Whether data fits a model: features found by name, ignoring case and spacing (as prediction does). */

const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, " ");

/** Features absent from the columns. */
export function missingColumns(features: readonly string[], columns: readonly string[]): string[] {
  const have = new Set(columns.map(norm));
  return features.filter((f) => !have.has(norm(f)));
}
