/**
 * /stats end to end through the chat: the summary card, the correlation heatmap as a photo with the strongest
 * pairs, and one test of each kind, each answered in words with a chart, driven by simulated users over HTTP
 * against the real bot (Redis state, local storage). The numbers on the cards are the engine's own. Each
 * answer is computed in its own sandbox process (the bot never parses the table), so ten answers need room.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app.js";
import { readTable } from "../../src/ml/index.js";
import { runStatsTest } from "../../src/ml/stats/index.js";
import { startApp, type TestEnv, testEnv } from "../helpers/app.js";
import { FAST_BOT_ENV, FAST_TELEGRAM, fixture } from "../helpers/flows.js";
import { type FakeTelegram, startFakeTelegram, type TestUser } from "../helpers/telegram.js";

let tg: FakeTelegram;
let env: TestEnv;
let app: App;

beforeAll(async () => {
  tg = await startFakeTelegram(FAST_TELEGRAM);
  env = testEnv(tg, "stats", FAST_BOT_ENV);
  app = await startApp(env);
});

afterAll(async () => {
  await app?.stop();
  await tg?.close();
  await env?.cleanup();
});

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
/** A column button of the picker, by the column's name. */
const columnButton = (name: string) => new RegExp(`\\d+\\. ${escapeRegex(name)}$`);

/** The test menu as a new screen (an old menu losing its buttons is an edit with the same text). */
const menuScreen = (user: TestUser, text: RegExp) =>
  user.waitFor((m) => text.test(m.text ?? "") && Boolean(m.reply_markup?.inline_keyboard.length));

/** Presses a column's button once the picker shows it. */
async function pick(user: TestUser, column: string): Promise<void> {
  await user.waitFor((m) =>
    Boolean(m.reply_markup?.inline_keyboard.flat().some((b) => columnButton(column).test(b.text))),
  );
  await user.click(columnButton(column));
}

/** Picks a test in the menu, answers its column questions, and returns the answer's text. */
async function runTest(user: TestUser, test: RegExp, columns: string[], heading: RegExp): Promise<string> {
  await user.click(test);
  for (const column of columns) await pick(user, column);
  const answer = await user.waitFor(heading);
  const chart = user.botMessages().findLast((m) => m.photo);
  expect(chart, "a chart comes with the answer").toBeDefined();
  expect(chart!.message_id).toBeLessThan(answer.message_id);
  await user.click(/Another test/);
  await menuScreen(user, /Which test\?/);
  return answer.text ?? "";
}

describe("/stats", () => {
  it("summarises penguins.csv, shows the correlations, and runs every kind of test", async () => {
    const user = tg.user(3001, { firstName: "Stat", languageCode: "en" });
    await user.send("/stats");
    await user.waitFor(/Send the data file to explore/);
    await user.upload("penguins.csv", fixture("penguins.csv"));

    const card = await user.waitFor(/penguins\.csv — summary/);
    expect(card.text).toContain("344 rows × 7 columns");
    expect(card.text).toMatch(/Body Mass \(g\) 🔢 integer · n 342 · mean 4201\.754 ± 801\.955 · 2 missing/);
    expect(card.text).toMatch(/min 2700 · Q1 3550 · median 4050 · Q3 4750 · max 6300/);
    expect(card.text).toMatch(
      /Species 🏷️ categorical · n 344 · 3 distinct · Adelie 44%, Gentoo 36%, Chinstrap 20%/,
    );
    const heatmap = await user.waitFor((m) => Boolean(m.photo));
    expect(heatmap.caption).toMatch(/Strongest correlations/);
    expect(heatmap.caption).toMatch(
      /Flipper Length \(mm\) ↔ Body Mass \(g\): r 0\.87 \(p < 0\.001\) · ρ 0\.84/,
    );
    const menu = await menuScreen(user, /Which test\?/);
    expect(menu.reply_markup?.inline_keyboard.flat()).toHaveLength(9 + 1 + 2);

    const frame = await readTable(fixture("penguins.csv"), { fileName: "penguins.csv" });
    const engine = (test: Parameters<typeof runStatsTest>[1], columns: string[]) => {
      const out = runStatsTest(frame, test, columns);
      if (!out.ok) throw new Error("engine refused");
      return out.report;
    };

    const welch = await runTest(
      user,
      /^Welch's t-test$/,
      ["Body Mass (g)", "Sex"],
      /Welch's t-test — Body Mass/,
    );
    expect(welch).toMatch(/t = -?[\d.]+ · df = [\d.]+ · p < 0\.001/);
    expect(welch).toMatch(/The mean of Body Mass \(g\) is [\d.]+ higher in MALE than in FEMALE \(95% CI/);
    expect(welch).toMatch(/Effect size: Cohen's d = 0\.936 \(large\)/);
    expect(welch).toMatch(/Checks:\n✅ every group looks normal, or is large enough/);
    expect(welch).toMatch(/11 rows with a missing value left out/);
    const t = engine("welch", ["Body Mass (g)", "Sex"]).statistic;
    expect(welch).toContain(`t = ${Number(t.toFixed(3))}`);

    const paired = await runTest(
      user,
      /^Paired t-test$/,
      ["Beak Length (mm)", "Beak Depth (mm)"],
      /Paired t-test —/,
    );
    expect(paired).toMatch(/On average Beak Length \(mm\) − Beak Depth \(mm\) is [\d.]+ \(95% CI/);

    const mw = await runTest(user, /^Mann-Whitney U$/, ["Flipper Length (mm)", "Sex"], /Mann-Whitney U —/);
    expect(mw).toMatch(/U = [\d.]+ · p < 0\.001/);
    expect(mw).toMatch(/rank-biserial r = 0\.311 \(medium\)/);
    expect(mw).toMatch(/The p-value uses the normal approximation with tie and continuity corrections/);

    const anova = await runTest(user, /^One-way ANOVA$/, ["Body Mass (g)", "Species"], /One-way ANOVA —/);
    expect(anova).toMatch(/F = 343\.626 · df = 2, 339 · p < 0\.001/);
    expect(anova).toMatch(/Welch's ANOVA \(no equal-variance assumption\): F = /);
    expect(anova).toMatch(/⚠️ the groups' spreads differ \(Levene p = [\d.]+\): rely on Welch's ANOVA above/);
    expect(anova).toMatch(/η² = 0\.67 \(large\)/);

    const kruskal = await runTest(
      user,
      /^Kruskal-Wallis$/,
      ["Flipper Length (mm)", "Island"],
      /Kruskal-Wallis —/,
    );
    expect(kruskal).toMatch(/H = [\d.]+ · df = 2 · p < 0\.001/);

    const chi = await runTest(
      user,
      /^Chi-square independence$/,
      ["Island", "Species"],
      /Chi-square independence —/,
    );
    expect(chi).toMatch(/χ² = 299\.55 · df = 4 · p < 0\.001/);
    expect(chi).toMatch(/Island and Species are related/);
    expect(chi).toMatch(/Cramér's V = 0\.66 \(large\)/);

    const shapiro = await runTest(user, /^Shapiro-Wilk$/, ["Beak Depth (mm)"], /Shapiro-Wilk —/);
    const w = engine("shapiro", ["Beak Depth (mm)"]);
    expect(shapiro).toContain(`W = ${Number(w.statistic.toFixed(3))}`);
    expect(shapiro).toMatch(/Skewness -?[\d.]+ \(0 if symmetric\)/);
    expect(shapiro).not.toMatch(/Statistically significant/);
    expect(user.botMessages().some((m) => /Which numeric column should be tested\?/.test(m.text ?? ""))).toBe(
      true,
    );

    const dag = await runTest(user, /^D'Agostino-Pearson$/, ["Body Mass (g)"], /D'Agostino-Pearson —/);
    expect(dag).toMatch(/K² = [\d.]+ · df = 2 · p/);

    const reg = await runTest(
      user,
      /^Linear regression$/,
      ["Body Mass (g)", "Flipper Length (mm)"],
      /Linear regression —/,
    );
    expect(reg).toMatch(/Body Mass \(g\) ≈ -5780\.831 \+ 49\.686 × Flipper Length \(mm\)/);
    expect(reg).toMatch(/Flipper Length \(mm\) explains 75\.9% of the variation in Body Mass \(g\)/);

    await user.click(/Done/);
    await user.waitFor(/Done\. \/stats explores another file/);
    if (process.env.SHOW_TRANSCRIPT) console.log(user.report());
    expect((await app.manager.getState(3001, 3001))?.state).toBe("COMPLETE");
  }, 180_000);

  it("opens a stored dataset from /datasets, refuses a column that does not fit, and answers in Portuguese", async () => {
    const user = tg.user(3002, { firstName: "Ana", languageCode: "pt-BR" });
    await user.send("/stats");
    await user.waitFor(/Envie o arquivo de dados a explorar/);
    await user.upload("iris.csv", fixture("iris.csv"));
    await menuScreen(user, /Qual teste\?/);
    await user.send("/datasets");
    await user.waitFor(/iris\.csv/);
    await user.click(/📊 1/);
    await user.waitFor(/iris\.csv — resumo/);
    await menuScreen(user, /Qual teste\?/);
    await user.click(/^Teste t de Welch$/);
    await user.waitFor(/Qual coluna numérica deve ser comparada\?/);
    await pick(user, "sepal_length_cm");
    // species has three groups: not a column for a two-group test, marked 🚫 and refused with a notice.
    const picker = await user.waitFor(/Qual coluna define os grupos\?/);
    const species = picker.reply_markup!.inline_keyboard.flat().find((b) => /species/.test(b.text))!;
    expect(species.text.startsWith("🚫")).toBe(true);
    await user.click(columnButton("species"));
    await user.waitFor(/não serve para esta pergunta/);
    await user.click(/Voltar/);
    await user.waitFor(/Qual coluna numérica deve ser comparada\?/);
    await user.click(/Voltar/);
    await menuScreen(user, /Qual teste\?/);
    await user.click(/^ANOVA de um fator$/);
    await pick(user, "petal_length_cm");
    await pick(user, "species");
    const answer = await user.waitFor(/ANOVA de um fator —/);
    expect(answer.text).toMatch(/A média de petal_length_cm difere entre pelo menos dois grupos/);
    expect(answer.text).toMatch(/Tamanho do efeito: η² = [\d.]+ \(grande\)/);
  });
});
