/**
 * Every feature, in order. Commands first; then files, text and workflow buttons; then the screens outside
 * workflows (/models, /datasets, /templates, /history, /budget, /language); the unhandled feature is last.
 */
import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import { adminFeature } from "./admin.js";
import { budgetFeature } from "./budget.js";
import { buttonsFeature } from "./buttons.js";
import { commandsFeature } from "./commands.js";
import { datasetsFeature } from "./datasets.js";
import { doctorFeature } from "./doctor.js";
import { documentsFeature } from "./documents.js";
import { historyFeature } from "./history.js";
import { languageFeature } from "./language.js";
import { modelsFeature } from "./models.js";
import { templatesFeature } from "./templates.js";
import { textFeature } from "./text.js";
import { unhandledFeature } from "./unhandled.js";

export const features = new Composer<BotContext>(
  commandsFeature,
  // /admin doctor before the rest of /admin
  doctorFeature,
  adminFeature,
  modelsFeature,
  datasetsFeature,
  templatesFeature,
  historyFeature,
  budgetFeature,
  languageFeature,
  documentsFeature,
  textFeature,
  buttonsFeature,
  // must be the last one
  unhandledFeature,
);
