/**
 * The web chat page in a real browser (Debian's Chromium through playwright-core) against a grammY echo bot:
 * load, send text, see the formatted reply, press a button and see the edit in place, upload a file and
 * download the bot's document, see a photo, open the command menu, and check a second user is isolated.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Resvg } from "@resvg/resvg-js";
import { Bot, InlineKeyboard, InputFile, Keyboard } from "grammy";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Playground, startPlayground } from "../../src/playground/index.js";
import { runBot } from "../helpers/telegram.js";

const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_MISSING = `Chromium is missing at ${CHROMIUM}: install it with "apt-get install -y chromium"`;

/** Fails (never skips) each test when the browser is not installed. */
function requireChromium(): void {
  if (!existsSync(CHROMIUM)) throw new Error(CHROMIUM_MISSING);
}
const SCREENSHOTS = "test-results";

function chartPng(): Buffer {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="300">
    <rect width="480" height="300" fill="#f4f8fb"/><rect x="40" y="120" width="60" height="150" fill="#3390ec"/>
    <rect x="140" y="60" width="60" height="210" fill="#5fb6f7"/><rect x="240" y="180" width="60" height="90" fill="#3390ec"/></svg>`;
  return Buffer.from(new Resvg(svg).render().asPng());
}

function echoBot(pg: Playground): Bot {
  const bot = new Bot(pg.token, { client: { apiRoot: pg.apiRoot } });
  bot.command("start", (ctx) =>
    ctx.reply("Welcome to the <b>Modeling Agent</b>!\nTry <code>/train</code>.", {
      parse_mode: "HTML",
      reply_markup: new InlineKeyboard().text("Train a model", "train").text("Predict", "predict"),
    }),
  );
  bot.command("chart", (ctx) =>
    ctx.replyWithPhoto(new InputFile(chartPng(), "chart.png"), { caption: "Feature importance" }),
  );
  bot.command("menu", (ctx) =>
    ctx.reply("Pick one", { reply_markup: new Keyboard().text("Yes").text("No").oneTime().resized() }),
  );
  bot.callbackQuery("train", async (ctx) => {
    await ctx.answerCallbackQuery({ text: "Starting…" });
    await ctx.editMessageText("Training started <i>(random forest)</i>", { parse_mode: "HTML" });
  });
  bot.on("message:document", async (ctx) => {
    const file = await ctx.getFile();
    const csv = await (await fetch(`${pg.apiRoot}/file/bot${pg.token}/${file.file_path}`)).text();
    const rows = csv.trim().split("\n").length - 1;
    await ctx.replyWithDocument(new InputFile(Buffer.from("id,prediction\n1,setosa\n"), "predictions.csv"), {
      caption: `Read ${rows} rows`,
    });
  });
  bot.on("message:text", (ctx) => ctx.reply(`echo: ${ctx.message.text}`));
  bot.catch(() => {});
  return bot;
}

describe("the playground page in Chromium", () => {
  let pg: Playground;
  let stopBot: () => Promise<void>;
  let browser: BrowserContext;
  let page: Page;
  let profileDir: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) return;
    pg = await startPlayground({ port: 0 });
    const bot = echoBot(pg);
    await bot.api.setMyCommands([
      { command: "start", description: "Start over" },
      { command: "chart", description: "Show a chart" },
    ]);
    stopBot = await runBot(bot);
    profileDir = mkdtempSync(join(tmpdir(), "playground-chromium-"));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      acceptDownloads: true,
      viewport: { width: 1100, height: 800 },
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage();
    page.on("pageerror", (error) => pageErrors.push(error.message));
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    await stopBot?.();
    await pg?.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  it("chats with the bot: text, formatting, buttons, edits, files, photos, commands", async () => {
    requireChromium();
    await page.goto(`${pg.url}?user=2001`);
    await expect.poll(() => page.textContent("#status")).toBe("bot");

    await page.fill("#text-input", "/start");
    await page.press("#text-input", "Enter");
    const welcome = page.locator(".from-bot").filter({ hasText: "Welcome" });
    await welcome.waitFor();
    expect(await welcome.locator("strong").textContent()).toBe("Modeling Agent");
    expect(await welcome.locator("code").textContent()).toBe("/train");
    await page.screenshot({ path: join(SCREENSHOTS, "playground-keyboard.png") });

    await page.fill("#text-input", "<b>not bold</b>");
    await page.press("#text-input", "Enter");
    const echo = page.locator(".from-bot").filter({ hasText: "echo: <b>not bold</b>" });
    await echo.waitFor();
    expect(await echo.locator("b, strong").count()).toBe(0);

    const welcomeId = await welcome.getAttribute("data-id");
    await welcome.getByRole("button", { name: "Train a model" }).click();
    await page.locator(".from-bot", { hasText: "Training started" }).waitFor();
    const edited = page.locator(`.message[data-id="${welcomeId}"]`);
    expect(await edited.locator("em").textContent()).toBe("(random forest)");
    expect(await edited.locator(".inline-button").count()).toBe(0);
    expect(await edited.locator(".meta").textContent()).toMatch(/^edited/);
    await expect.poll(() => page.textContent("#toast")).toBe("Starting…");

    await page.setInputFiles("#file-input", {
      name: "iris.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("a,b\n1,2\n3,4\n5,6\n"),
    });
    await page.locator(".from-user .doc-name", { hasText: "iris.csv" }).waitFor();
    const reply = page.locator(".from-bot").filter({ hasText: "Read 3 rows" });
    await reply.waitFor();
    const download = await reply.locator("a.document").getAttribute("href");
    const downloaded = await page.request.get(`${pg.url}${download?.replace(/^\//, "")}`);
    expect(await downloaded.text()).toBe("id,prediction\n1,setosa\n");

    // Browser-side code as a string: this project's TypeScript has no DOM types.
    const dropped = await page.evaluateHandle(`(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File(["x,y\\n1,2\\n"], "dropped.csv", { type: "text/csv" }));
      return transfer;
    })()`);
    await page.dispatchEvent("#chat", "drop", { dataTransfer: dropped });
    await page.locator(".from-user .doc-name", { hasText: "dropped.csv" }).waitFor();
    await page.locator(".from-bot", { hasText: "Read 1 rows" }).waitFor();

    await page.fill("#text-input", "/menu");
    await page.press("#text-input", "Enter");
    await page.locator("#reply-keyboard button", { hasText: "Yes" }).click();
    await page.locator(".from-bot", { hasText: "echo: Yes" }).waitFor();
    expect(await page.isHidden("#reply-keyboard")).toBe(true);

    await page.click("#commands-button");
    await page.locator("#command-menu button", { hasText: "/chart" }).click();
    const photo = page.locator(".from-bot img.photo");
    await photo.waitFor();
    await expect
      .poll(() => photo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBe(480);
    await page.screenshot({ path: join(SCREENSHOTS, "playground-desktop.png") });

    await page.setViewportSize({ width: 390, height: 760 });
    await page.screenshot({ path: join(SCREENSHOTS, "playground-phone.png") });
    expect(pageErrors).toEqual([]);
  });

  it("shows each user only their own chat", async () => {
    requireChromium();
    const other = await browser.newPage();
    await other.goto(`${pg.url}?user=2002`);
    await expect.poll(() => other.textContent("#status")).toBe("bot");
    expect(await other.locator(".message").count()).toBe(0);
    expect(await other.isVisible("#empty")).toBe(true);
    expect(pg.server.messages(2001).length).toBeGreaterThan(5);
    await other.close();
  });
});
