/** /budget: the user's caps and this month's spend; tapping a cap asks for a new value (a dialog). */
import { Composer, InlineKeyboard } from "grammy";
import { screenButtons } from "../callback-data.js";
import type { BotContext, DialogContext } from "../context.js";
import { startDialog } from "../dialogs.js";
import { money } from "../html.js";

/** /budget buttons: one per cap, named after the user budget field it sets. */
const budgetButtons = screenButtons({ perTrainingJob: "bj", perPrediction: "bp", monthly: "bm" });

export const budgetFeature = new Composer<BotContext>();

budgetFeature.command("budget", (ctx) => showBudget(ctx));

budgetFeature.callbackQuery(budgetButtons.filter, async (ctx) => {
  const field = budgetButtons.unpack(ctx.callbackQuery.data)?.action;
  if (!field) return;
  await ctx.answerCallbackQuery();
  await startDialog(ctx, "budgetCap", field);
});

export async function showBudget(ctx: DialogContext): Promise<void> {
  const t = ctx.texts;
  const b = await ctx.deps.userData.budget(ctx.conv!.userId);
  const caps = ctx.deps.config.budget;
  const lines = [
    t.budget.title,
    "",
    t.budget.perJob(money(b.perTrainingJob), money(caps.maxTrainingCost)),
    t.budget.perPrediction(money(b.perPrediction), money(caps.maxPredictionCost)),
    t.budget.monthly(money(b.monthly), money(b.spentThisMonth)),
    "",
    t.budget.hint,
  ];
  const keyboard = new InlineKeyboard()
    .text(t.budget.setJob, budgetButtons.pack("perTrainingJob"))
    .text(t.budget.setPrediction, budgetButtons.pack("perPrediction"))
    .text(t.budget.setMonthly, budgetButtons.pack("monthly"));
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML", reply_markup: keyboard });
}
