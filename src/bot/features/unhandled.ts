/** Must be the last feature: anything nobody handled gets a helpful answer, never silence. */
import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import { currentWorkflow } from "../workflows.js";

export const unhandledFeature = new Composer<BotContext>();

unhandledFeature.on("callback_query", (ctx) =>
  ctx.answerCallbackQuery({ text: ctx.texts.stale, show_alert: true }),
);

unhandledFeature.on("message", async (ctx) => {
  // In groups only commands and replies to the bot get this far (the group filter): answer them too.
  const current = await currentWorkflow(ctx);
  await ctx.reply(current?.active ? ctx.texts.useButtons : ctx.texts.help, { parse_mode: "HTML" });
});
