/** The dataset summary lines shared by the training and prediction schema cards. */
import type { DatasetSummary } from "../../flows/ports.js";
import { esc } from "../html.js";
import type { Texts } from "../i18n/index.js";

export const TYPE_ICONS: Record<string, string> = {
  numeric: "🔢",
  integer: "🔢",
  boolean: "☑️",
  categorical: "🏷️",
  datetime: "📅",
  text: "📝",
  identifier: "🆔",
};

export function datasetLines(t: Texts, d: DatasetSummary): string[] {
  const typeCounts = new Map<string, number>();
  for (const col of d.columns) typeCounts.set(col.type, (typeCounts.get(col.type) ?? 0) + 1);
  return [
    t.schema.title(d.fileName),
    `${t.schema.shape(d.nRows, d.nColumns)} · ${t.schema.missing(d.missingCells)}`,
    `${t.schema.types}: ${[...typeCounts].map(([type, n]) => `${TYPE_ICONS[type] ?? ""} ${esc(type)} ${n}`).join(" · ")}`,
  ];
}
