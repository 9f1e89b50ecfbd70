/** /language: English or Portuguese, chosen in a dialog (src/bot/dialogs.ts). */
import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import { startDialog } from "../dialogs.js";

export const languageFeature = new Composer<BotContext>();

languageFeature.command("language", (ctx) => startDialog(ctx, "chooseLanguage"));
