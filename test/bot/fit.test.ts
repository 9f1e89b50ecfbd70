/**
 * The one fitting step: whatever the bot builds leaves within Telegram's limits, as Telegram counts them
 * (the emulator's HTML parser, which refuses unbalanced tags, stands in for Telegram's), with every tag
 * closed, no surrogate pair split, and keyboards within the button limits.
 */
import { describe, expect, it } from "vitest";
import { fitHtml, fitKeyboard, fitPayload, fitPlain, visibleLength } from "../../src/bot/fit.js";
import { b, code, esc, i } from "../../src/bot/html.js";
import { parseTelegramHtml } from "../../src/playground/bot-api/html.js";

/** A deterministic pseudo-random generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
}

/** HTML as our views build it: lines of bold, code, italic and escaped text, some of it hostile. */
function viewLike(rnd: () => number, lines: number): string {
  const words = ["price", "<b>", "a&b", '"q"', "São Paulo", "😀", "x".repeat(300), "\n"];
  const piece = () => words[Math.floor(rnd() * words.length)];
  const wrap = [b, code, i, esc];
  return Array.from({ length: lines }, () => {
    const parts = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () =>
      wrap[Math.floor(rnd() * wrap.length)](piece().repeat(1 + Math.floor(rnd() * 20))),
    );
    return `• <b>${esc(piece())}</b> ${parts.join(" ")}`;
  }).join("\n");
}

describe("fitHtml", () => {
  it("keeps every generated message within the limit, balanced, as Telegram parses it", () => {
    const rnd = random(17);
    for (let k = 0; k < 80; k++) {
      const html = viewLike(rnd, 1 + Math.floor(rnd() * 120));
      for (const limit of [4096, 1024, 200]) {
        const fitted = fitHtml(html, limit);
        const parsed = parseTelegramHtml(fitted);
        expect(parsed.text.length).toBeLessThanOrEqual(limit);
        if (visibleLength(html) <= limit) expect(fitted).toBe(html);
        else expect(parsed.text.trimEnd().endsWith("…")).toBe(true);
      }
    }
  });

  it("cuts inside a line with no line break, and never splits a surrogate pair", () => {
    const fitted = fitHtml(`<b>${"😀".repeat(3000)}</b>`, 4096);
    const parsed = parseTelegramHtml(fitted);
    expect(parsed.text.length).toBeLessThanOrEqual(4096);
    expect(parsed.text.length).toBeGreaterThan(4000);
    expect(parsed.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(fitted.endsWith("</b>\n…")).toBe(true);
  });

  it("counts an entity as the one character Telegram shows", () => {
    const html = "&amp;".repeat(4000);
    expect(visibleLength(html)).toBe(4000);
    expect(fitHtml(html, 4096)).toBe(html);
  });
});

describe("fitPayload and fitKeyboard", () => {
  it("fits texts, captions and callback answers to their own limits", () => {
    const long = "y".repeat(5000);
    expect((fitPayload("sendMessage", { text: long }) as { text: string }).text).toHaveLength(4096);
    expect((fitPayload("sendDocument", { caption: long }) as { caption: string }).caption).toHaveLength(1024);
    expect((fitPayload("answerCallbackQuery", { text: long }) as { text: string }).text).toHaveLength(200);
    expect(fitPlain("short", 10)).toBe("short");
  });

  it("keeps at most 8 buttons a row and 100 in all, the navigation row last, labels shortened", () => {
    const button = (n: number) => ({
      text: `column ${n} ${"z".repeat(n % 3 === 0 ? 100 : 1)}`,
      callback_data: `c${n}`,
    });
    const nav = [{ text: "Back", callback_data: "back" }];
    const rows = fitKeyboard([Array.from({ length: 300 }, (_, n) => button(n)), nav]) as Array<
      Array<{ text: string }>
    >;
    expect(rows.every((row) => row.length <= 8)).toBe(true);
    expect(rows.flat().length).toBeLessThanOrEqual(100);
    expect(rows.at(-1)).toEqual(nav);
    expect(Math.max(...rows.flat().map((x) => x.text.length))).toBeLessThanOrEqual(64);
  });
});
