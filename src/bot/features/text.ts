/**
 * Free text: the answer to a pending one-question form (a model's new name, a budget), or a typed value for
 * the workflow when its current step takes text (names, column ranges, parameter values).
 */
import { Composer } from "grammy";
import { parseDollars } from "../../state/amounts.js";
import { nameProblem } from "../../state/names.js";
import type { BotContext } from "../context.js";
import { clearForm, type PendingForm, pendingForm } from "../forms.js";
import { money } from "../html.js";
import { currentWorkflow, sendQuietly } from "../workflows.js";
import { operatorCap, showBudget } from "./budget.js";

export const textFeature = new Composer<BotContext>();

textFeature.on("message:text", async (ctx, next) => {
  const text = ctx.message.text;
  if (text.startsWith("/")) return next();
  const form = await pendingForm(ctx.deps.manager.store, ctx.conv!);
  if (form) return answerForm(ctx, form, text.trim());
  const current = await currentWorkflow(ctx);
  if (!current?.active) return next();
  const event = { type: "user.typedText", text: text.slice(0, 2000) };
  if (current.snapshot.can(event) && (await sendQuietly(ctx, ctx.conv!, event))) return;
  await ctx.reply(ctx.texts.useButtons);
});

async function answerForm(ctx: BotContext, form: PendingForm, text: string): Promise<void> {
  const t = ctx.texts;
  const userId = ctx.conv!.userId;
  if (form.kind === "renameModel") {
    if (nameProblem(text, "model")) return void (await ctx.reply(t.notices.badModelName()));
    await ctx.deps.catalog.rename(userId, form.modelId, text);
    await clearForm(ctx.deps.manager.store, ctx.conv!);
    return void (await ctx.reply(t.models.renamed(text), { parse_mode: "HTML" }));
  }
  const max = operatorCap(ctx, form.field);
  const value = parseDollars(text, max);
  if (value === undefined) return void (await ctx.reply(t.budget.bad(money(max))));
  await ctx.deps.userData.setBudget(userId, { [form.field]: value });
  await clearForm(ctx.deps.manager.store, ctx.conv!);
  await ctx.reply(t.budget.saved);
  await showBudget(ctx);
}
