/**
 * /admin (ADMIN_USER_IDS only): the jobs running now, the reconciler's last findings, and this month's spend
 * by provider and by user.
 */
import { Composer } from "grammy";
import { JOB_STATES } from "../../flows/index.js";
import type { BotContext } from "../context.js";
import { code, duration, esc, money } from "../html.js";
import { isAdmin } from "../middleware/access.js";
import { statePath } from "../renderer.js";

const SHOWN = 30;

export const adminFeature = new Composer<BotContext>();

adminFeature.filter(isAdmin).command("admin", async (ctx) => {
  const { manager, reconciler } = ctx.deps;
  const lines = ["🛠 <b>Admin</b>", ""];
  const running: string[] = [];
  let active = 0;
  for (const key of await manager.store.listActive()) {
    active++;
    // inspect, not load: an unusable workflow stays for its user's next message to report.
    const loaded = await manager.inspect(key).catch(() => undefined);
    if (!loaded) continue;
    const state = statePath(loaded.snapshot);
    if (!JOB_STATES.has(state.split(".")[0])) continue;
    const c = loaded.snapshot.context as {
      job?: { jobId: string; provider: string; progress: number; costSoFar: number; launchedAt?: string };
      jobId?: string;
    };
    const job = c.job;
    const since = job?.launchedAt ? duration((Date.now() - Date.parse(job.launchedAt)) / 1000) : "—";
    running.push(
      `• ${code(job?.jobId ?? c.jobId ?? "?")} user ${key.userId} · ${esc(state)} · ${esc(job?.provider ?? "local")} · ${job?.progress ?? 0}% · ${since} · ${money(job?.costSoFar ?? 0)}`,
    );
  }
  lines.push(`Active workflows: ${active}; jobs running: ${running.length}`, ...running.slice(0, SHOWN));
  const report = reconciler?.lastReport();
  lines.push("", "🧹 <b>Reconciler</b>");
  if (!report) lines.push("no run yet");
  else {
    lines.push(
      `last run ${esc(report.at)}: ${report.checked} resources checked, ${report.terminated.length} orphans terminated`,
    );
    for (const t of report.terminated.slice(0, 10)) lines.push(`• ${esc(t)}`);
    for (const e of report.errors.slice(0, 5)) lines.push(`⚠️ ${esc(e)}`);
  }
  lines.push(...(await fleetLines(ctx)));
  lines.push("", ...(await spendLines(ctx)));
  await ctx.reply(lines.join("\n"), { parse_mode: "HTML" });
});

/** This month's spend against MONTHLY_BUDGET_TOTAL, by provider, and by user and provider. */
async function spendLines(ctx: BotContext): Promise<string[]> {
  const t = ctx.texts.spend;
  const report = await ctx.deps.userData.spendReport();
  const providers = (byProvider: Record<string, number>) =>
    Object.entries(byProvider)
      .map(([name, dollars]) => `${esc(name)} ${money(dollars)}`)
      .join(" · ");
  const lines = [t.total(money(report.total), money(ctx.deps.config.budget.monthlyTotal))];
  if (report.byUser.length === 0) return [...lines, t.none];
  lines.push(t.byProvider(providers(report.byProvider)));
  for (const user of report.byUser.slice(0, SHOWN))
    lines.push(t.user(String(user.userId), money(user.total), providers(user.byProvider)));
  return lines;
}

/** The worker fleet: each worker (host, cores, running jobs, last seen), queue depths, recent failures. */
async function fleetLines(ctx: BotContext): Promise<string[]> {
  const fleet = ctx.deps.fleet;
  if (!fleet) return [];
  const [workers, queues, failed] = await Promise.all([
    fleet.workers(),
    fleet.queueMetrics(),
    fleet.failedJobs(5),
  ]);
  const lines = ["", `👷 <b>Workers</b>: ${workers.length} online`];
  for (const w of workers.slice(0, SHOWN)) {
    const seen = duration(Math.max(0, (Date.now() - w.lastSeen) / 1000));
    lines.push(`• ${code(w.id)} ${esc(w.host)} · ${w.cores} cores · ${w.running} running · seen ${seen} ago`);
  }
  for (const q of queues) {
    const c = q.counts;
    lines.push(
      `Queue ${esc(q.queue)}: ${c.waiting} waiting · ${c.active} active · ${c.delayed} deferred · ${c.failed} failed`,
    );
  }
  for (const f of failed) lines.push(`❌ ${code(f.jobId)} ${esc(f.kind)}: ${esc(f.reason.slice(0, 200))}`);
  return lines;
}
