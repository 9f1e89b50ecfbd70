/**
 * Languages. The user's choice (/language) wins; otherwise the Telegram client's language; otherwise English.
 */
import { en, type Texts } from "./en.js";
import { pt } from "./pt.js";

export type Language = "en" | "pt";

export const LANGUAGES: Record<Language, Texts> = { en, pt };

export function textsFor(language: Language | undefined): Texts {
  return LANGUAGES[language ?? "en"] ?? en;
}

/** The language for a Telegram client's language code ("pt-BR" → pt). */
export function languageOf(code: string | undefined): Language {
  return code?.toLowerCase().startsWith("pt") ? "pt" : "en";
}

export type { Texts };
