/** The history entry written, atomically with the commit, when a workflow reaches a final state. */
import { type AnySnapshot, stateName } from "./definitions.js";
import type { HistoryEntry } from "./store.js";

/** Built from the context's workflowId, startedAt and (optional) summary; finishedAt is now. */
export function historyEntry(workflowType: string, finished: AnySnapshot, now = new Date()): HistoryEntry {
  const context = (finished.context ?? {}) as Record<string, unknown>;
  const finishedAt = now.toISOString();
  const summary = context.summary;
  return {
    workflowType,
    workflowId: typeof context.workflowId === "string" ? context.workflowId : "",
    state: stateName(finished),
    startedAt: typeof context.startedAt === "string" ? context.startedAt : finishedAt,
    finishedAt,
    summary:
      summary && typeof summary === "object" && !Array.isArray(summary)
        ? (summary as Record<string, unknown>)
        : {},
  };
}
