/**
 * The command menu (setMyCommands, https://core.telegram.org/bots/api#setmycommands): English for every
 * client, Portuguese for clients whose language is Portuguese. Registered at every start-up, so a deploy
 * that adds a command updates the menu.
 */
import type { Api } from "grammy";
import type { BotCommand } from "grammy/types";
import { type Logger, scrubSecrets } from "../logger.js";

/** Every command the bot offers, in menu order. */
export const COMMAND_NAMES = [
  "start",
  "help",
  "train",
  "predict",
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

const EN: Record<CommandName, string> = {
  start: "Welcome and what I can do",
  help: "How to use the bot",
  train: "Train a model on your data",
  predict: "Predict with a trained model",
  models: "Your trained models",
  datasets: "Your uploaded datasets",
  templates: "Saved training settings",
  history: "Your recent jobs",
  budget: "Spending and cost limits",
  cancel: "Cancel what is running",
  language: "Change the language",
  status: "Progress of the running job",
};

const PT: Record<CommandName, string> = {
  start: "Boas-vindas e o que eu faço",
  help: "Como usar o bot",
  train: "Treinar um modelo com os seus dados",
  predict: "Fazer previsões com um modelo treinado",
  models: "Os seus modelos treinados",
  datasets: "Os seus conjuntos de dados",
  templates: "Configurações de treino guardadas",
  history: "Os seus trabalhos recentes",
  budget: "Gastos e limites de custo",
  cancel: "Cancelar o que está em andamento",
  language: "Mudar o idioma",
  status: "Progresso do trabalho em andamento",
};

/** The menu for a language ("en" is also the default for every other language). */
export function commandList(language: "en" | "pt"): BotCommand[] {
  const descriptions = language === "pt" ? PT : EN;
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
