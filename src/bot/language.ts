/**
 * Which language a user reads: their /language choice, else the language of their Telegram client (remembered,
 * so messages sent later by a background job are in it too), else English.
 */
import type { UserData } from "../state/user-data.js";
import { type Language, languageOf, type Texts, textsFor } from "./i18n/index.js";

export async function userLanguage(
  userData: UserData,
  userId: number,
  clientLanguageCode?: string,
): Promise<Language> {
  const settings = await userData.getSettings(userId);
  if (clientLanguageCode !== undefined) {
    const client = languageOf(clientLanguageCode);
    if (settings.clientLanguage !== client) await userData.setClientLanguage(userId, client);
    return settings.language ?? client;
  }
  return settings.language ?? settings.clientLanguage ?? "en";
}

export async function userTexts(
  userData: UserData,
  userId: number,
  clientLanguageCode?: string,
): Promise<Texts> {
  return textsFor(await userLanguage(userData, userId, clientLanguageCode));
}
