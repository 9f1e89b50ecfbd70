/**
 * Hostile input through the chat, against the bot as its own process (`node src/main.ts`): for each file a
 * stranger might send, a clear message or a correct summary; the bot's process never changes; and a second
 * user who sends /help every second throughout gets every answer, at /train and at /stats (whose statistics
 * are computed in the sandbox as well), and while a million-row file is being read, a /help is answered
 * before the file is. Large files are generated here. HOSTILE_REPORT=1 prints each reply.
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { en } from "../../src/bot/i18n/en.js";
import { killBot, spawnBot, type TestEnv, testEnv } from "../helpers/app.js";
import {
  constantParquet,
  lyingParquet,
  utf16,
  wideHeaderCsv,
  windows1252,
  xlsxWithHugeSharedStrings,
  xlsxWithLyingSizes,
} from "../helpers/hostile-files.js";
import { type FakeTelegram, startFakeTelegram, type TestUser } from "../helpers/telegram.js";
import { plainText } from "../ops/helpers.js";

const HELP = plainText(en.help).split("\n")[0];
const READ = { timeoutMs: 120_000 };

interface Hostile {
  name: string;
  file: () => Uint8Array | Promise<Uint8Array> | string;
  /** The reply that proves the bot understood (a summary) or refused clearly (naming the limit). */
  reply: RegExp;
  /** Takes the sandbox seconds (a million rows read and summarised): /help must be answered meanwhile. */
  slow?: boolean;
}

const CORPUS: Hostile[] = [
  {
    name: "1e6x40.parquet",
    file: () => constantParquet(1_000_000, 40),
    reply: /1,000,000 rows × 40 columns/,
    slow: true,
  },
  {
    name: "1e6x300.parquet",
    file: () => lyingParquet({ columns: 300, declaredRows: 1_000_000 }),
    reply: /300000000 cells; the limit is 50000000/,
  },
  {
    name: "lying-headers.xlsx",
    file: () => xlsxWithLyingSizes(80 * 1024 * 1024),
    reply: /unpacks to more than 67108864 bytes/,
  },
  {
    name: "huge-shared-strings.xlsx",
    file: () => xlsxWithHugeSharedStrings(500_000),
    reply: /shared-strings table has 50000\d entries/,
  },
  {
    name: "100000-columns.csv",
    file: () => wideHeaderCsv(100_000),
    reply: /100000 columns; the limit is 1000/,
  },
  {
    name: "unicode-text.txt",
    file: () => utf16(latinAmerica("\t")),
    reply: /12 rows × 3 columns[\s\S]*preço/,
  },
  {
    name: "windows-1252.csv",
    file: () => windows1252(latinAmerica(";")),
    reply: /12 rows × 3 columns[\s\S]*preço/,
  },
];

/** A small table with accented names, as a Brazilian analyst's export has them. */
function latinAmerica(delimiter: string): string {
  const cities = ["São Paulo", "Belém", "Goiânia", "Maceió"];
  const rows = Array.from({ length: 12 }, (_, i) =>
    [cities[i % 4], (10 + i * 1.5).toFixed(1).replace(".", ","), i % 3 === 0 ? "ótima" : "média"].join(
      delimiter,
    ),
  );
  return `${["cidade", "preço", "avaliação"].join(delimiter)}\n${rows.join("\n")}\n`;
}

/**
 * /help every second until stopped. `stop` waits for every answer (an event wait, no time bound: the bot's
 * speed on a loaded machine is not what is tested) and checks that each /help got exactly one.
 */
function helpEverySecond(user: TestUser) {
  const helps = () => user.botMessages().filter((m) => (m.text ?? "").startsWith(HELP)).length;
  const before = helps();
  const answers: Array<Promise<unknown>> = [];
  let sent = 0;
  // The n-th /help is answered once n answers are there: two asks in flight cannot both count one answer.
  const ask = async () => {
    const n = ++sent;
    await user.send("/help");
    const answered = () => helps() - before >= n;
    if (!answered()) await user.waitFor(answered, READ);
  };
  answers.push(ask());
  const timer = setInterval(() => answers.push(ask()), 1000);
  return {
    /** Asks once more now; resolves when the bot has answered it. */
    askNow: async () => {
      const answered = ask();
      answers.push(answered);
      await answered;
    },
    async stop(): Promise<void> {
      clearInterval(timer);
      await Promise.all(answers);
      expect(helps() - before).toBe(sent);
    },
  };
}

/**
 * The relative check that the bot keeps answering someone else: with the stranger's file sent and its reply
 * not there yet, a /help sent now is answered before the reply comes (for files that take the sandbox long).
 */
async function answeredDuringRead(help: ReturnType<typeof helpEverySecond>, stranger: TestUser) {
  const replies = () =>
    stranger.botMessages().filter((m) => /rows ×|❌|⚠️|— summary/.test(m.text ?? "")).length;
  const before = replies();
  await help.askNow();
  expect(replies(), "the stranger's file was answered before the bystander's /help").toBe(before);
}

describe("hostile input through the chat", () => {
  let tg: FakeTelegram;
  let env: TestEnv;
  let bot: ChildProcess;

  beforeAll(async () => {
    tg = await startFakeTelegram();
    // The unpacked-bytes limit is lowered from its 200 MB default so that the zip bomb stays quick to make.
    env = testEnv(tg, "hostile", { RATE_LIMIT_PER_MINUTE: "600", MAX_UNPACKED_MB: "64" });
    bot = await spawnBot(env);
  });

  afterAll(async () => {
    await killBot(bot);
    await tg?.close();
    await env?.cleanup();
  });

  it("answers every hostile file clearly, keeps its process, and keeps answering someone else", async () => {
    const stranger = tg.user(7001, { firstName: "Mallory" });
    const bystander = tg.user(7002, { firstName: "Bea" });
    const pid = bot.pid;
    const report: string[] = [];
    for (const hostile of CORPUS) {
      const file = await hostile.file();
      const help = helpEverySecond(bystander);
      await stranger.send("/train");
      await stranger.waitFor(/Send me your data/);
      await stranger.upload(hostile.name, file);
      if (hostile.slow) await answeredDuringRead(help, stranger);
      const reply = await stranger.waitFor((m) => /rows ×|❌|⚠️/.test(m.text ?? ""), READ);
      await help.stop();
      expect(reply.text, hostile.name).toMatch(hostile.reply);
      const said = (reply.text ?? "").split("\n").filter((line) => /❌|rows ×/.test(line));
      report.push(`${hostile.name}: "${said.join(" / ")}"`);
    }
    expect(bot.pid).toBe(pid);
    expect(bot.exitCode).toBeNull();
    if (process.env.HOSTILE_REPORT) console.log(report.join("\n"));
  }, 300_000);

  it("reads a table sent to /stats in the sandbox too: a clear refusal with a hint, or the summary, and answers /help", async () => {
    const stranger = tg.user(7003, { firstName: "Trudy" });
    const bystander = tg.user(7004, { firstName: "Bob" });
    const pid = bot.pid;
    // The last one is read, summarised and correlated (a million rows): all of it in the sandbox.
    for (const name of ["lying-headers.xlsx", "100000-columns.csv", "1e6x40.parquet"]) {
      const hostile = CORPUS.find((h) => h.name === name)!;
      const file = await hostile.file();
      const help = helpEverySecond(bystander);
      await stranger.send("/stats");
      await stranger.waitFor(/Send the data file to explore/);
      await stranger.upload(hostile.name, file);
      if (hostile.slow) await answeredDuringRead(help, stranger);
      const reply = await stranger.waitFor((m) => /— summary|❌/.test(m.text ?? ""), READ);
      await help.stop();
      expect(reply.text, name).toMatch(hostile.reply);
      if (/❌/.test(reply.text ?? "")) expect(reply.text, name).toMatch(/💡 Send a smaller file/);
    }
    expect(bot.pid).toBe(pid);
    expect(bot.exitCode).toBeNull();
  }, 300_000);
});
