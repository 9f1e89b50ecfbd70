/**
 * One-question forms outside workflows (renaming a model, setting a budget): the pending question is kept per
 * conversation in the state store, so it survives a restart, and the next text message answers it.
 */
import type { ConversationKey, WorkflowStore } from "../state/store.js";

export type PendingForm =
  | { kind: "renameModel"; modelId: string; name: string }
  | { kind: "budget"; field: "perTrainingJob" | "perPrediction" | "monthly" };

/** A form left unanswered this long is forgotten. */
const FORM_TTL_MS = 15 * 60_000;

interface Stored {
  form: PendingForm;
  expiresAt: number;
}

const docName = (key: ConversationKey) => `form:${key.chatId}`;

export async function askForm(store: WorkflowStore, key: ConversationKey, form: PendingForm): Promise<void> {
  await store.setUserDoc<Stored | null>(key.userId, docName(key), {
    form,
    expiresAt: Date.now() + FORM_TTL_MS,
  });
}

export async function pendingForm(
  store: WorkflowStore,
  key: ConversationKey,
): Promise<PendingForm | undefined> {
  const stored = await store.getUserDoc<Stored | null>(key.userId, docName(key));
  return stored && stored.expiresAt > Date.now() ? stored.form : undefined;
}

export async function clearForm(store: WorkflowStore, key: ConversationKey): Promise<void> {
  await store.setUserDoc<Stored | null>(key.userId, docName(key), null);
}
