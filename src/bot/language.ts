/**
 * Which language a user reads: their /language choice, else the language of their Telegram client (remembered,
 * so messages sent by a background job are in it too), else English. Both are persisted per user.
 */
import type { WorkflowStore } from "../state/store.js";
import { type Language, languageOf, type Texts, textsFor } from "./i18n/index.js";

export interface UserSettings {
  /** Chosen with /language. */
  language?: Language;
  /** Last seen Telegram client language. */
  clientLanguage?: Language;
}

export async function userLanguage(
  store: WorkflowStore,
  userId: number,
  clientLanguageCode?: string,
): Promise<Language> {
  const settings = (await store.getUserDoc<UserSettings>(userId, "settings")) ?? {};
  if (clientLanguageCode !== undefined) {
    const client = languageOf(clientLanguageCode);
    if (settings.clientLanguage !== client) {
      await store.setUserDoc(userId, "settings", { ...settings, clientLanguage: client });
    }
    return settings.language ?? client;
  }
  return settings.language ?? settings.clientLanguage ?? "en";
}

export async function userTexts(
  store: WorkflowStore,
  userId: number,
  clientLanguageCode?: string,
): Promise<Texts> {
  return textsFor(await userLanguage(store, userId, clientLanguageCode));
}

export async function setUserLanguage(
  store: WorkflowStore,
  userId: number,
  language: Language,
): Promise<void> {
  const settings = (await store.getUserDoc<UserSettings>(userId, "settings")) ?? {};
  await store.setUserDoc(userId, "settings", { ...settings, language });
}
