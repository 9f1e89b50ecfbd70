/** /models: the user's trained models — open a card, rename, delete (with confirmation), download, predict. */
import { Composer, InlineKeyboard, InputFile } from "grammy";
import { ObjectNotFoundError } from "../../errors.js";
import { screenButtons } from "../callback-data.js";
import type { BotContext } from "../context.js";
import { deleteButtons, startDialog } from "../dialogs.js";
import { code, esc, money, num, pct } from "../html.js";
import { listNames, modelName } from "../views/training.js";
import { beginWorkflow } from "../workflows.js";

const PAGE = 10;
/** /models buttons; the argument is a page number (list) or a model id. The delete's Yes is the dialog's. */
export const modelButtons = screenButtons({
  list: "ml",
  open: "mo",
  rename: "mr",
  del: "md",
  zip: "mz",
  predict: "mp",
});
const press = modelButtons.pack;

export const modelsFeature = new Composer<BotContext>();

modelsFeature.command("models", (ctx) => showList(ctx, 0, false));

modelsFeature.callbackQuery(modelButtons.filter, async (ctx) => {
  const p = modelButtons.unpack(ctx.callbackQuery.data);
  if (!p) return;
  await ctx.answerCallbackQuery();
  const id = p.arg ?? "";
  const userId = ctx.conv!.userId;
  const { catalog } = ctx.deps;
  try {
    switch (p.action) {
      case "list":
        return await showList(ctx, Number(id) || 0, true);
      case "open":
        return await showCard(ctx, id);
      case "rename": {
        const card = await catalog.model(userId, id);
        return await startDialog(ctx, "renameModel", id, card.name);
      }
      case "del": {
        const card = await catalog.model(userId, id);
        const keyboard = new InlineKeyboard()
          .text(ctx.texts.models.yesDelete, deleteButtons.pack("model", id))
          .text(ctx.texts.models.keep, press("open", id));
        await ctx.editMessageText(ctx.texts.models.confirmDelete(card.name), {
          parse_mode: "HTML",
          reply_markup: keyboard,
        });
        return await startDialog(ctx, "confirmDelete", "model", id, card.name);
      }
      case "zip": {
        const card = await catalog.model(userId, id);
        const zip = await catalog.modelArchive(userId, id);
        return void (await ctx.replyWithDocument(new InputFile(zip, `${id}.zip`), {
          caption: ctx.texts.models.archiveCaption(card.name),
          parse_mode: "HTML",
        }));
      }
      case "predict":
        return await beginWorkflow(ctx, "prediction", { modelId: id });
    }
  } catch (error) {
    if (error instanceof ObjectNotFoundError) return void (await ctx.reply(ctx.texts.models.gone));
    throw error;
  }
});

async function showList(ctx: BotContext, page: number, edit: boolean): Promise<void> {
  const t = ctx.texts;
  const models = await ctx.deps.catalog.models(ctx.conv!.userId);
  if (models.length === 0) return void (await ctx.reply(t.models.none));
  const pages = Math.ceil(models.length / PAGE);
  const current = Math.min(Math.max(0, page), pages - 1);
  const shown = models.slice(current * PAGE, current * PAGE + PAGE);
  const lines = [t.models.title(models.length), ""];
  const keyboard = new InlineKeyboard();
  shown.forEach((m, k) => {
    const index = current * PAGE + k + 1;
    const metric =
      m.metrics.r2 !== undefined
        ? `R² ${num(m.metrics.r2, 2)}`
        : m.metrics.accuracy !== undefined
          ? `${t.metrics.short.accuracy} ${pct(m.metrics.accuracy, 0)}`
          : "";
    lines.push(
      t.models.line(
        index,
        m.displayName,
        `${modelName(m.modelType)}, ${t.task[m.taskType] ?? m.taskType}`,
        metric,
        m.trainedAt.slice(0, 10),
      ),
    );
    keyboard.text(String(index), press("open", m.modelId));
    if (k % 5 === 4) keyboard.row();
  });
  if (pages > 1) {
    keyboard.row();
    if (current > 0) keyboard.text(t.buttons.prev, press("list", String(current - 1)));
    if (current < pages - 1) keyboard.text(t.buttons.next, press("list", String(current + 1)));
  }
  const text = lines.join("\n");
  if (edit) await ctx.editMessageText(text, { parse_mode: "HTML", reply_markup: keyboard });
  else await ctx.reply(text, { parse_mode: "HTML", reply_markup: keyboard });
}

async function showCard(ctx: BotContext, modelId: string): Promise<void> {
  const t = ctx.texts;
  const card = await ctx.deps.catalog.model(ctx.conv!.userId, modelId);
  const metrics = Object.entries(card.metrics)
    .filter(([, v]) => typeof v === "number")
    .slice(0, 6)
    .map(([k, v]) => `${esc(k)} ${num(v as number)}`)
    .join(" · ");
  const lines = [
    t.models.card(card.name),
    t.models.kind(
      card.modelLabel ? `${modelName(card.modelType)}: ${card.modelLabel}` : modelName(card.modelType),
      t.task[card.task] ?? card.task,
    ),
    t.models.target(card.target),
    t.models.features(card.features.length, listNames(card.features, 8)),
    t.models.trained(card.trainedAt.slice(0, 16).replace("T", " "), card.trainedOn, money(card.cost)),
    metrics,
    code(card.modelId),
  ];
  const keyboard = new InlineKeyboard()
    .text(t.models.predict, press("predict", modelId))
    .text(t.models.rename, press("rename", modelId))
    .row()
    .text(t.models.download, press("zip", modelId))
    .text(t.models.delete, press("del", modelId))
    .row()
    .text(t.models.list, press("list", "0"));
  await ctx.editMessageText(lines.filter(Boolean).join("\n"), { parse_mode: "HTML", reply_markup: keyboard });
}
