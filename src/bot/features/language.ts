/** /language: English or Portuguese; the choice is persisted and wins over the Telegram client's. */
import { Composer, InlineKeyboard } from "grammy";
import { pack, unpack } from "../callback-data.js";
import type { BotContext } from "../context.js";
import { LANGUAGES, type Language } from "../i18n/index.js";

export const languageFeature = new Composer<BotContext>();

languageFeature.command("language", async (ctx) => {
  const keyboard = new InlineKeyboard();
  for (const [code, texts] of Object.entries(LANGUAGES)) {
    keyboard.text(
      `${texts.language.flag} ${texts.language.name}`,
      pack({ wf: "-", action: "lang", arg: code }),
    );
  }
  await ctx.reply(ctx.texts.language.choose, { reply_markup: keyboard });
});

languageFeature.on("callback_query:data", async (ctx, next) => {
  const p = unpack(ctx.callbackQuery.data);
  if (p?.wf !== "-" || p.action !== "lang" || !(p.arg && p.arg in LANGUAGES)) return next();
  const language = p.arg as Language;
  await ctx.deps.userData.setLanguage(ctx.conv!.userId, language);
  await ctx.answerCallbackQuery({ text: LANGUAGES[language].language.changed });
  await ctx.editMessageText(LANGUAGES[language].language.changed);
});
