/**
 * Issue 9 end to end: `npm start` without a token, then a real browser (Debian's Chromium) on the playground
 * page talks to the REAL bot: /train, iris.csv through the file input, through the buttons to the result card
 * (the progress message is seen changing in place), then /predict and the predictions file downloaded from
 * the page and checked row by row, and /stats on the same file (its summary computed in the sandbox). Screens
 * are recognised by their text and buttons pressed by label, so a step added to the flow fails with the screen
 * it did not expect, not silently.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MainProcess, spawnMain } from "../helpers/app.js";
import { withoutColumn } from "../helpers/flows.js";

const CHROMIUM = "/usr/bin/chromium";
const SCREENSHOTS = "test-results";
const IRIS = join(import.meta.dirname, "../fixtures/iris.csv");
const READY = /Playground: open (http:\/\/\S+\/) to chat/;
const SLOW_MS = 120_000;

/** A screen (bot message text) and the button to press on it. */
type Step = [screen: RegExp, button: RegExp];

const TRAINING: Step[] = [
  [/Target:/, /Accept/],
  [/What kind of model/, /Linear models/],
  [/Pick a model/, /^Logistic regression/],
  [/: settings/, /Continue/],
  [/Where should it run/, /free|This machine|Local/i],
  [/Confirm/, /Launch/],
];
const PREDICTION: Step[] = [
  [/Models that fit this data/, /Continue/],
  [/Which model/, /Logistic regression/],
  [/new column/, /Use this name/],
  [/Where should it run/, /free|This machine|Local/i],
  [/Ready to run/, /Run/],
];

interface BotBubble {
  id: string;
  text: string;
  buttons: string[];
}

/** Every bot message on the page: id, text, inline button labels. Browser code as a string (no DOM types). */
function botBubbles(page: Page): Promise<BotBubble[]> {
  return page.evaluate(`[...document.querySelectorAll(".message.from-bot")].map((el) => ({
    id: el.dataset.id,
    text: el.querySelector(".text")?.textContent ?? "",
    buttons: [...el.querySelectorAll(".inline-button")].map((b) => b.textContent ?? ""),
  }))`);
}

/** Presses through the screens until a bot message matches `until`; fails on a screen it does not know. */
async function clickThrough(page: Page, steps: Step[], until: RegExp): Promise<BotBubble> {
  const pressed = new Set<string>();
  const deadline = Date.now() + SLOW_MS;
  for (;;) {
    const bubbles = await botBubbles(page);
    const done = bubbles.find((b) => until.test(b.text));
    if (done) return done;
    const screen = bubbles.filter((b) => b.buttons.length > 0).at(-1);
    const step = screen && steps.find(([text]) => text.test(screen.text));
    const label = step && screen.buttons.find((b) => step[1].test(b));
    const key = screen && `${screen.id}:${screen.text}`;
    if (screen && label && key && !pressed.has(key)) {
      pressed.add(key);
      await page
        .locator(`.message[data-id="${screen.id}"] .inline-button`, { hasText: label })
        .first()
        .click();
    }
    if (Date.now() > deadline) {
      const last = bubbles.at(-1);
      throw new Error(
        `stuck before ${until} on: ${JSON.stringify(last?.text)} ${JSON.stringify(last?.buttons)}`,
      );
    }
    await page.waitForTimeout(100);
  }
}

/** Records every text each bot message shows, so edits in place can be checked afterwards. */
const WATCH_EDITS = `(() => {
  window.__seen = {};
  const record = () => {
    for (const el of document.querySelectorAll(".message.from-bot")) {
      const seen = (window.__seen[el.dataset.id] ??= []);
      const text = el.querySelector(".text")?.textContent ?? "";
      if (seen.at(-1) !== text) seen.push(text);
    }
  };
  new MutationObserver(record).observe(document.getElementById("messages"),
    { subtree: true, childList: true, characterData: true });
})()`;

describe("the playground in Chromium with the real bot", () => {
  let dataDir: string;
  let main: MainProcess;
  let url: string;
  let browser: BrowserContext;
  let page: Page;
  let profileDir: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) return;
    dataDir = mkdtempSync(join(tmpdir(), "sma-playground-e2e-"));
    main = await spawnMain(
      { DATA_DIR: dataDir, PLAYGROUND_PORT: "0", LOG_LEVEL: "warn", LOCAL_MAX_CONCURRENT_JOBS: "1" },
      READY,
    );
    url = READY.exec(main.output())?.[1] ?? "";
    profileDir = mkdtempSync(join(tmpdir(), "playground-e2e-chromium-"));
    browser = await chromium.launchPersistentContext(profileDir, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1100, height: 900 },
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
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (main && main.child.exitCode === null) {
      main.child.kill("SIGTERM");
      await main.exited;
    }
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("trains on iris.csv through the page, shows the result card, and returns predictions", async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium`);
    await page.goto(`${url}?user=5001`);
    await expect.poll(() => page.textContent("#status")).toBe("bot");
    await page.evaluate(WATCH_EDITS);

    await page.fill("#text-input", "/train");
    await page.press("#text-input", "Enter");
    await page.locator(".from-bot", { hasText: "Send me your data" }).waitFor();
    await page.setInputFiles("#file-input", IRIS);
    await page.locator(".from-user .doc-name", { hasText: "iris.csv" }).waitFor();

    const result = await clickThrough(page, TRAINING, /is trained/);
    expect(result.text).toMatch(/Accuracy|accuracy/);
    const card = page.locator(`.message[data-id="${result.id}"]`);
    await card.scrollIntoViewIfNeeded();
    await card.screenshot({ path: join(SCREENSHOTS, "playground-result-card.png") });

    // One progress message, edited in place from its first state to "Finished".
    const seen = (await page.evaluate("window.__seen")) as Record<string, string[]>;
    const progress = Object.values(seen).filter((texts) => texts.some((t) => /Training/.test(t)));
    expect(progress).toHaveLength(1);
    expect(progress[0].length).toBeGreaterThanOrEqual(2);
    expect(progress[0].at(-1)).toMatch(/Finished in/);
    // The charts arrive as photos, shown inline, and they load.
    const photos = page.locator(".from-bot img.photo");
    await photos.first().waitFor();
    expect(await photos.count()).toBeGreaterThanOrEqual(2);
    for (const photo of await photos.all()) {
      await expect
        .poll(() => photo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
        .toBeGreaterThan(0);
    }

    await page.fill("#text-input", "/predict");
    await page.press("#text-input", "Enter");
    await page.locator(".from-bot", { hasText: "Send the file with the rows to predict" }).waitFor();
    const rows = withoutColumn(readFileSync(IRIS), "species");
    await page.setInputFiles("#file-input", {
      name: "new_iris.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(rows),
    });
    await clickThrough(page, PREDICTION, /150 predictions/);
    const link = page.locator(".from-bot a.document").last();
    await link.waitFor({ timeout: SLOW_MS });
    const href = (await link.getAttribute("href")) ?? "";
    const csv = await (await page.request.get(new URL(href, url).toString())).text();

    const lines = csv.trim().split(/\r?\n/);
    const header = lines[0].split(",");
    const column = header.indexOf("species_predicted");
    expect(column).toBeGreaterThanOrEqual(0);
    expect(lines).toHaveLength(151);
    const predicted = lines.slice(1).map((line) => line.split(",")[column]);
    const actual = readFileSync(IRIS, "utf8").trim().split(/\r?\n/).slice(1);
    const speciesIndex = readFileSync(IRIS, "utf8").split(/\r?\n/)[0].split(",").indexOf("species");
    const correct = predicted.filter((p, i) => p === actual[i].split(",")[speciesIndex]).length;
    expect(new Set(predicted)).toEqual(new Set(["setosa", "versicolor", "virginica"]));
    expect(correct / predicted.length).toBeGreaterThan(0.9);

    // /stats in the playground: the sandbox reads the table and computes the summary, without Redis.
    await page.fill("#text-input", "/stats");
    await page.press("#text-input", "Enter");
    await page.locator(".from-bot", { hasText: "Send the data file to explore" }).waitFor();
    await page.setInputFiles("#file-input", IRIS);
    const summary = page.locator(".from-bot", { hasText: "iris.csv — summary" });
    await summary.waitFor({ timeout: SLOW_MS });
    expect(await summary.textContent()).toMatch(/150 rows × 5 columns/);
    expect(pageErrors).toEqual([]);
  }, 300_000);
});
