/** Telegram's HTML parse mode: entities, offsets in UTF-16, and the error texts with UTF-8 byte offsets. */
import { describe, expect, it } from "vitest";
import { TelegramApiError } from "../../src/playground/bot-api/api-error.js";
import { parseTelegramHtml } from "../../src/playground/bot-api/html.js";
import { formatText } from "../../src/playground/bot-api/text.js";

function parseError(html: string): string {
  try {
    parseTelegramHtml(html);
  } catch (error) {
    expect(error).toBeInstanceOf(TelegramApiError);
    return (error as TelegramApiError).description;
  }
  throw new Error(`expected ${html} to fail`);
}

describe("parseTelegramHtml", () => {
  it("turns every supported tag into its entity", () => {
    const html =
      "<b>b</b><strong>s</strong><i>i</i><em>e</em><u>u</u><ins>n</ins><s>x</s><strike>k</strike><del>d</del>" +
      '<tg-spoiler>p</tg-spoiler><span class="tg-spoiler">q</span><code>c</code><a href="https://x.org">l</a>' +
      '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji><blockquote>z</blockquote>';
    const { text, entities } = parseTelegramHtml(html);
    expect(text).toBe("bsieunxkdpqcl👍z");
    expect(entities.map((e) => e.type)).toEqual([
      "bold",
      "bold",
      "italic",
      "italic",
      "underline",
      "underline",
      "strikethrough",
      "strikethrough",
      "strikethrough",
      "spoiler",
      "spoiler",
      "code",
      "text_link",
      "custom_emoji",
      "blockquote",
    ]);
    expect(entities.find((e) => e.type === "text_link")?.url).toBe("https://x.org");
    expect(entities.find((e) => e.type === "custom_emoji")).toEqual({
      type: "custom_emoji",
      offset: 13,
      length: 2,
      custom_emoji_id: "5368324170671202286",
    });
  });

  it("counts offsets in UTF-16 code units and nests outer entities first", () => {
    const { text, entities } = parseTelegramHtml("😀 <b>bold <i>both</i></b>");
    expect(text).toBe("😀 bold both");
    expect(entities).toEqual([
      { type: "bold", offset: 3, length: 9 },
      { type: "italic", offset: 8, length: 4 },
    ]);
  });

  it("merges <pre><code class=language-x> into one pre entity with a language", () => {
    expect(parseTelegramHtml('<pre><code class="language-python">x = 1</code></pre>').entities).toEqual([
      { type: "pre", offset: 0, length: 5, language: "python" },
    ]);
    expect(parseTelegramHtml('<code class="language-js">y</code>').entities).toEqual([
      { type: "code", offset: 0, length: 1 },
    ]);
  });

  it("decodes the four named entities and numeric ones, and leaves unknown ones as text", () => {
    expect(parseTelegramHtml("&lt;a&gt; &amp; &quot; &#65;&#x42; &nbsp; &copy").text).toBe(
      '<a> & " AB &nbsp; &copy',
    );
  });

  it("adds http:// to a bare domain and drops a link it cannot use", () => {
    expect(parseTelegramHtml('<a href="example.com/x">e</a>').entities[0].url).toBe("http://example.com/x");
    expect(parseTelegramHtml('<a href="javascript:alert(1)">e</a>').entities).toEqual([]);
  });

  it("rejects markup the way Telegram does, with byte offsets", () => {
    expect(parseError("<br>")).toBe(
      'Bad Request: can\'t parse entities: Unsupported start tag "br" at byte offset 0',
    );
    expect(parseError("é <foo>")).toBe(
      'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 3',
    );
    expect(parseError("if a < b")).toBe(
      'Bad Request: can\'t parse entities: Unsupported start tag "" at byte offset 5',
    );
    expect(parseError("<b>bold")).toBe(
      "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
    );
    expect(parseError("<b>x</i>")).toBe(
      'Bad Request: can\'t parse entities: Unmatched end tag at byte offset 4, expected "</b>", found "</i>"',
    );
    expect(parseError("x</b>")).toBe(
      "Bad Request: can't parse entities: Unexpected end tag at byte offset 1",
    );
    expect(parseError("<b")).toBe("Bad Request: can't parse entities: Unclosed start tag at byte offset 0");
    expect(parseError('<span class="x">s</span>')).toBe(
      'Bad Request: can\'t parse entities: Tag "span" must have class "tg-spoiler" at byte offset 0',
    );
  });
});

describe("formatText", () => {
  const text = (raw: string, maxLength = 4096) =>
    formatText(raw, { parseMode: "HTML", kind: "text", maxLength });

  it("checks the length after parsing, not of the raw markup", () => {
    const inner = "a".repeat(4096);
    expect(text(`<b>${inner}</b>`).text).toHaveLength(4096);
    expect(() => text(`<b>${inner}a</b>`)).toThrow("Bad Request: message is too long");
  });

  it("trims surrounding whitespace and moves entities with it", () => {
    const result = text("  \n<b>hi</b> there \n");
    expect(result.text).toBe("hi there");
    expect(result.entities).toEqual([{ type: "bold", offset: 0, length: 2 }]);
  });

  it("refuses empty text and detects commands and links", () => {
    expect(() => text("  <b> </b> ")).toThrow("Bad Request: message text is empty");
    const result = formatText("run /train@sma_bot or see https://example.com/docs.", {
      kind: "text",
      maxLength: 4096,
    });
    expect(result.entities).toEqual([
      { type: "bot_command", offset: 4, length: 14 },
      { type: "url", offset: 26, length: 24 },
    ]);
    expect(text("&lt;/b&gt;").entities).toEqual([]);
  });

  it("rejects an unknown parse_mode and says Markdown is not emulated", () => {
    expect(() => formatText("x", { parseMode: "Fancy", kind: "text", maxLength: 10 })).toThrow(
      "Bad Request: unsupported parse_mode",
    );
    expect(() => formatText("x", { parseMode: "MarkdownV2", kind: "text", maxLength: 10 })).toThrow(
      /not emulated/,
    );
  });
});
