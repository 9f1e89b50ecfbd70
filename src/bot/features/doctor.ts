/**
 * /admin doctor (ADMIN_USER_IDS only): the same checks as `npm run doctor`, as one or more preformatted
 * messages (each under Telegram's 4096 characters).
 */
import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import { esc } from "../html.js";
import { isAdmin } from "../middleware/access.js";

/** Characters of report per message, leaving room for the <pre> tags and escaping. */
const CHUNK = 3000;

export const doctorFeature = new Composer<BotContext>();

doctorFeature.filter(isAdmin).command("admin", async (ctx, next) => {
  if (ctx.match.trim().toLowerCase() !== "doctor") return next();
  await ctx.reply("🩺 Checking every configured provider…");
  const report = await ctx.deps.doctor();
  for (const part of chunks(report, CHUNK)) {
    await ctx.reply(`<pre>${esc(part)}</pre>`, { parse_mode: "HTML" });
  }
});

/** The report cut at line ends into pieces of at most `size` characters. */
function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  let current = "";
  for (const line of text.split("\n")) {
    if (current && current.length + line.length + 1 > size) {
      out.push(current);
      current = "";
    }
    current = current ? `${current}\n${line.slice(0, size)}` : line.slice(0, size);
  }
  if (current) out.push(current);
  return out;
}
