/** /datasets: stored datasets with size and date; open one in /stats, or delete it with confirmation. */
import { Composer, InlineKeyboard } from "grammy";
import { screenButtons } from "../callback-data.js";
import type { BotContext } from "../context.js";
import { deleteButtons, startDialog } from "../dialogs.js";
import { bytes } from "../html.js";
import { beginUnlessBusy } from "../workflows.js";

/** /datasets buttons; the argument is a dataset id. The delete's Yes is the confirmation dialog's. */
const datasetButtons = screenButtons({ del: "dd", list: "dl", stats: "dst" });
const press = datasetButtons.pack;
const SHOWN = 20;

export const datasetsFeature = new Composer<BotContext>();

datasetsFeature.command("datasets", (ctx) => showList(ctx, false));

datasetsFeature.callbackQuery(datasetButtons.filter, async (ctx) => {
  const p = datasetButtons.unpack(ctx.callbackQuery.data);
  if (!p) return;
  await ctx.answerCallbackQuery();
  const t = ctx.texts;
  const userId = ctx.conv!.userId;
  if (p.action === "list") return showList(ctx, true);
  if (p.action === "stats") return beginUnlessBusy(ctx, "stats", { datasetId: p.arg });
  const dataset = (await ctx.deps.catalog.datasets(userId)).find((d) => d.datasetId === p.arg);
  if (!dataset) return void (await ctx.editMessageText(t.stale));
  const keyboard = new InlineKeyboard()
    .text(t.models.yesDelete, deleteButtons.pack("dataset", dataset.datasetId))
    .text(t.models.keep, press("list"));
  await ctx.editMessageText(t.datasets.confirmDelete(dataset.name), {
    parse_mode: "HTML",
    reply_markup: keyboard,
  });
  await startDialog(ctx, "confirmDelete", "dataset", dataset.datasetId, dataset.name);
});

async function showList(ctx: BotContext, edit: boolean): Promise<void> {
  const t = ctx.texts;
  const list = await ctx.deps.catalog.datasets(ctx.conv!.userId);
  if (list.length === 0) return void (await ctx.reply(t.datasets.none));
  const lines = [t.datasets.title(list.length), ""];
  const keyboard = new InlineKeyboard();
  list.slice(0, SHOWN).forEach((d, k) => {
    lines.push(t.datasets.line(k + 1, d.name, bytes(d.size), d.uploadedAt.slice(0, 10)));
    keyboard.text(t.datasets.stats(k + 1), press("stats", d.datasetId));
    keyboard.text(t.datasets.delete(k + 1), press("del", d.datasetId));
    if (k % 3 === 2) keyboard.row();
  });
  lines.push("", t.datasets.hint);
  const text = lines.join("\n");
  if (edit) await ctx.editMessageText(text, { parse_mode: "HTML", reply_markup: keyboard });
  else await ctx.reply(text, { parse_mode: "HTML", reply_markup: keyboard });
}
