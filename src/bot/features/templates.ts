/** /templates: the one template store — list, use (starts the workflow from it), delete. */
import { createHash } from "node:crypto";
import { Composer, InlineKeyboard } from "grammy";
import { screenButtons } from "../callback-data.js";
import type { BotContext } from "../context.js";
import { code, esc } from "../html.js";
import { modelName } from "../views/training.js";
import { beginWorkflow } from "../workflows.js";

/** /templates buttons; the argument is a template's reference (`ref`). */
const templateButtons = screenButtons({ use: "tu", del: "td" });
const press = templateButtons.pack;

/** A button names its template by position and a short hash of the name, so a list gone stale is noticed. */
const ref = (index: number, name: string) =>
  `${index}:${createHash("sha1").update(name).digest("hex").slice(0, 6)}`;

export const templatesFeature = new Composer<BotContext>();

templatesFeature.command("templates", async (ctx) => {
  const t = ctx.texts;
  const list = await ctx.deps.catalog.templates(ctx.conv!.userId);
  if (list.length === 0) return void (await ctx.reply(t.templates.none));
  const lines = [t.templates.title(list.length), ""];
  const keyboard = new InlineKeyboard();
  list.forEach((tpl, k) => {
    const c = tpl.config as Record<string, unknown>;
    const detail =
      tpl.kind === "training"
        ? `${esc(modelName(String(c.modelType)))} → ${code(String(c.target))}`
        : `${code(String(c.predictionColumn))}`;
    lines.push(t.templates.line(k + 1, tpl.name, t.templates.kinds[tpl.kind], detail));
    keyboard
      .text(t.templates.use(k + 1), press("use", ref(k, tpl.name)))
      .text(t.templates.delete(k + 1), press("del", ref(k, tpl.name)))
      .row();
  });
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML", reply_markup: keyboard });
});

templatesFeature.callbackQuery(templateButtons.filter, async (ctx) => {
  const p = templateButtons.unpack(ctx.callbackQuery.data);
  if (!p) return;
  await ctx.answerCallbackQuery();
  const [index] = (p.arg ?? "").split(":");
  const template = (await ctx.deps.catalog.templates(ctx.conv!.userId))[Number(index)];
  if (!template || ref(Number(index), template.name) !== p.arg)
    return void (await ctx.reply(ctx.texts.stale));
  if (p.action === "del") {
    await ctx.deps.catalog.deleteTemplate(ctx.conv!.userId, template.name);
    return void (await ctx.editMessageText(ctx.texts.templates.deleted(template.name), {
      parse_mode: "HTML",
    }));
  }
  await beginWorkflow(ctx, template.kind, { template: template.name });
});
