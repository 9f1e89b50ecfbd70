/**
 * Free text: a typed value for the workflow when its current step takes text (names, column ranges,
 * parameter values). The answers of dialogs outside workflows (src/bot/dialogs.ts) never get here.
 */
import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import { currentWorkflow, sendQuietly } from "../workflows.js";

export const textFeature = new Composer<BotContext>();

textFeature.on("message:text", async (ctx, next) => {
  const text = ctx.message.text;
  if (text.startsWith("/")) return next();
  const current = await currentWorkflow(ctx);
  if (!current?.active) return next();
  const event = { type: "user.typedText", text: text.slice(0, 2000) };
  if (current.snapshot.can(event) && (await sendQuietly(ctx, ctx.conv!, event))) return;
  await ctx.reply(ctx.texts.useButtons);
});
