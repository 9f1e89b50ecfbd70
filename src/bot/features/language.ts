/** /language: English or Portuguese; the choice is persisted and wins over the Telegram client's. */
import { Composer, InlineKeyboard } from "grammy";
import { screenButtons } from "../callback-data.js";
import type { BotContext } from "../context.js";
import { LANGUAGES, type Language } from "../i18n/index.js";

/** /language buttons; the argument is a language code. */
const languageButtons = screenButtons({ choose: "lang" });

export const languageFeature = new Composer<BotContext>();

languageFeature.command("language", async (ctx) => {
  const keyboard = new InlineKeyboard();
  for (const [code, texts] of Object.entries(LANGUAGES)) {
    keyboard.text(`${texts.language.flag} ${texts.language.name}`, languageButtons.pack("choose", code));
  }
  await ctx.reply(ctx.texts.language.choose, { reply_markup: keyboard });
});

languageFeature.callbackQuery(languageButtons.filter, async (ctx, next) => {
  const p = languageButtons.unpack(ctx.callbackQuery.data);
  if (!(p?.arg && p.arg in LANGUAGES)) return next();
  const language = p.arg as Language;
  await ctx.deps.userData.setLanguage(ctx.conv!.userId, language);
  await ctx.answerCallbackQuery({ text: LANGUAGES[language].language.changed });
  await ctx.editMessageText(LANGUAGES[language].language.changed);
});
