/** /history: the last finished workflows with status, duration and cost. */
import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import { duration, money } from "../html.js";
import { minutes, modelName } from "../views/training.js";

export const historyFeature = new Composer<BotContext>();

historyFeature.command("history", async (ctx) => {
  const t = ctx.texts;
  const entries = await ctx.deps.manager.store.listHistory(ctx.conv!.userId);
  if (entries.length === 0) return void (await ctx.reply(t.history.none));
  const lines = [t.history.title, ""];
  for (const e of entries) {
    const s = e.summary as Record<string, unknown>;
    const what =
      e.workflowType === "training"
        ? t.history.training(modelName(String(s.modelType ?? "")) || "—", String(s.target ?? "—"))
        : e.workflowType === "stats"
          ? t.history.stats(String(s.file ?? "—"), Number(s.tests ?? 0))
          : t.history.prediction(String(s.model ?? "—"), Number(s.rows ?? 0));
    const statuses: Record<string, string> = t.history.status;
    const status = statuses[String(s.status ?? e.state.toLowerCase())] ?? e.state;
    const took = duration(
      Number(s.runtimeSeconds ?? (Date.parse(e.finishedAt) - Date.parse(e.startedAt)) / 1000),
    );
    const quote =
      typeof s.quotedMinutes === "number"
        ? ` ${t.history.quoted(minutes(s.quotedMinutes), money(Number(s.quotedCost ?? 0)))}`
        : "";
    lines.push(
      t.history.line(
        e.finishedAt.slice(0, 16).replace("T", " "),
        what,
        status,
        took,
        money(Number(s.cost ?? 0)) + quote,
      ),
    );
  }
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML" });
});
