/**
 * The command menu (setMyCommands, https://core.telegram.org/bots/api#setmycommands): English for every
 * client, Portuguese for clients whose language is Portuguese. The descriptions live with the other texts
 * (src/bot/i18n). Registered at every start-up, so a deploy that adds a command updates the menu.
 */
import type { Api } from "grammy";
import type { BotCommand } from "grammy/types";
import { type Logger, scrubSecrets } from "../logger.js";
import { LANGUAGES, type Language } from "./i18n/index.js";

/** Every command the bot offers, in menu order. */
export const COMMAND_NAMES = [
  "start",
  "help",
  "train",
  "predict",
  "stats",
  "models",
  "datasets",
  "templates",
  "history",
  "budget",
  "cancel",
  "language",
  "status",
] as const;

export type CommandName = (typeof COMMAND_NAMES)[number];

/** The menu for a language ("en" is also the default for every other language). */
export function commandList(language: Language): BotCommand[] {
  const descriptions = LANGUAGES[language].commands;
  return COMMAND_NAMES.map((command) => ({ command, description: descriptions[command] }));
}

/** Sets both menus. A failure is logged, not fatal: the bot works without a menu. */
export async function registerCommands(api: Api, logger: Logger): Promise<void> {
  try {
    await api.setMyCommands(commandList("en"));
    await api.setMyCommands(commandList("pt"), { language_code: "pt" });
  } catch (error) {
    logger.warn({ err: scrubSecrets(String(error)) }, "could not set the command menu");
  }
}
