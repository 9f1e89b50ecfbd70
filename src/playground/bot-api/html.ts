/**
 * Telegram's HTML parse mode (https://core.telegram.org/bots/api#html-style), written to follow the
 * behaviour of TDLib's parser: the same tag set, attribute rules, entity decoding, and the same error
 * texts with UTF-8 byte offsets, so a message our bot gets wrong here is one Telegram would reject too.
 */
import { badRequest, type TelegramApiError } from "./api-error.js";
import type { TgMessageEntity } from "./types.js";

const ALLOWED_TAGS = new Set([
  "a",
  "b",
  "strong",
  "i",
  "em",
  "s",
  "strike",
  "del",
  "u",
  "ins",
  "tg-spoiler",
  "tg-emoji",
  "span",
  "pre",
  "code",
  "blockquote",
]);

const SIMPLE_ENTITY: Record<string, string> = {
  b: "bold",
  strong: "bold",
  i: "italic",
  em: "italic",
  s: "strikethrough",
  strike: "strikethrough",
  del: "strikethrough",
  u: "underline",
  ins: "underline",
  "tg-spoiler": "spoiler",
  span: "spoiler",
};

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"' };
const HTML_ENTITY = /^&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|(lt|gt|amp|quot));/;

/** Text without markup plus its entities (offsets and lengths in UTF-16 code units). */
export interface FormattedText {
  text: string;
  entities: TgMessageEntity[];
}

interface OpenTag {
  tag: string;
  argument: string;
  offset: number;
  sourcePos: number;
}

const isSpace = (ch: string | undefined): boolean => ch !== undefined && /\s/.test(ch);

function parseError(detail: string): TelegramApiError {
  return badRequest(`can't parse entities: ${detail}`);
}

/** Decodes `&lt;`, `&#65;`, `&#x41;` … at `pos`; returns null when it is not a known entity. */
function decodeEntity(input: string, pos: number): { value: string; end: number } | null {
  const match = HTML_ENTITY.exec(input.slice(pos, pos + 12));
  if (!match) return null;
  let value: string;
  if (match[3]) value = NAMED_ENTITIES[match[3]];
  else {
    const code = match[1] ? Number(match[1]) : Number.parseInt(match[2], 16);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) || code === 0) return null;
    value = String.fromCodePoint(code);
  }
  return { value, end: pos + match[0].length };
}

/** Parses Telegram HTML; throws 400 "can't parse entities: …" exactly where Telegram would. */
export function parseTelegramHtml(input: string): FormattedText {
  return new HtmlParser(input).run();
}

class HtmlParser {
  private pos = 0;
  private out = "";
  private readonly open: OpenTag[] = [];
  private readonly entities: TgMessageEntity[] = [];

  constructor(private readonly input: string) {}

  run(): FormattedText {
    const { input } = this;
    while (this.pos < input.length) {
      const ch = input[this.pos];
      if (ch === "&") {
        const decoded = decodeEntity(input, this.pos);
        this.out += decoded ? decoded.value : "&";
        this.pos = decoded ? decoded.end : this.pos + 1;
      } else if (ch !== "<") {
        this.out += ch;
        this.pos += 1;
      } else if (input[this.pos + 1] === "/") this.endTag();
      else this.startTag();
    }
    const unclosed = this.open.at(-1);
    if (unclosed) throw parseError(`Can't find end tag corresponding to start tag "${unclosed.tag}"`);
    // A language only survives on pre; inner entities were pushed first, so restore the outer-first order.
    for (const entity of this.entities) if (entity.type === "code") delete entity.language;
    this.entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
    return { text: this.out, entities: this.entities };
  }

  private byteOffset(pos: number): number {
    return Buffer.byteLength(this.input.slice(0, pos), "utf8");
  }

  private skipSpaces(i: number): number {
    while (i < this.input.length && isSpace(this.input[i])) i++;
    return i;
  }

  private startTag(): void {
    const { input } = this;
    const tagPos = this.pos;
    let i = tagPos + 1;
    while (i < input.length && !isSpace(input[i]) && input[i] !== ">") i++;
    if (i >= input.length) throw parseError(`Unclosed start tag at byte offset ${this.byteOffset(tagPos)}`);
    const tag = input.slice(tagPos + 1, i).toLowerCase();
    if (!ALLOWED_TAGS.has(tag)) {
      throw parseError(`Unsupported start tag "${tag}" at byte offset ${this.byteOffset(tagPos)}`);
    }
    let argument = "";
    while (input[i] !== ">") {
      i = this.skipSpaces(i);
      if (input[i] === ">") break;
      const attr = this.attribute(tag, tagPos, i);
      i = attr.end;
      argument = this.argumentFor(tag, attr.name, attr.value) ?? argument;
    }
    if (tag === "span" && argument !== "spoiler") {
      throw parseError(`Tag "span" must have class "tg-spoiler" at byte offset ${this.byteOffset(tagPos)}`);
    }
    this.open.push({ tag, argument, offset: this.out.length, sourcePos: tagPos });
    this.pos = i + 1;
  }

  /** Reads `name`, `name=value`, `name="value"` starting at `start`; returns the position after it. */
  private attribute(
    tag: string,
    tagPos: number,
    start: number,
  ): { name: string; value?: string; end: number } {
    const { input } = this;
    let i = start;
    while (i < input.length && !isSpace(input[i]) && !`=>/"'`.includes(input[i])) i++;
    const name = input.slice(start, i).toLowerCase();
    if (name === "") {
      throw parseError(`Empty attribute name in the tag "${tag}" at byte offset ${this.byteOffset(tagPos)}`);
    }
    i = this.skipSpaces(i);
    if (input[i] !== "=") {
      if (i >= input.length) {
        throw parseError(`Unclosed start tag "${tag}" at byte offset ${this.byteOffset(tagPos)}`);
      }
      return { name, end: i };
    }
    i = this.skipSpaces(i + 1);
    if (i >= input.length) {
      throw parseError(`Unclosed start tag "${tag}" at byte offset ${this.byteOffset(tagPos)}`);
    }
    let value = "";
    if (input[i] !== '"' && input[i] !== "'") {
      const tokenStart = i;
      while (i < input.length && /[A-Za-z0-9.-]/.test(input[i])) i++;
      value = input.slice(tokenStart, i).toLowerCase();
      if (i >= input.length || (!isSpace(input[i]) && input[i] !== ">")) {
        throw parseError(`Unexpected end of name token at byte offset ${this.byteOffset(tokenStart)}`);
      }
    } else {
      const quote = input[i++];
      while (i < input.length && input[i] !== quote) {
        const decoded = input[i] === "&" ? decodeEntity(input, i) : null;
        value += decoded ? decoded.value : input[i];
        i = decoded ? decoded.end : i + 1;
      }
      if (input[i] === quote) i++;
    }
    if (i >= input.length) throw parseError(`Unclosed start tag at byte offset ${this.byteOffset(tagPos)}`);
    return { name, value, end: i };
  }

  private argumentFor(tag: string, name: string, value: string | undefined): string | undefined {
    if (tag === "a" && name === "href") return value ?? "";
    if (tag === "code" && name === "class" && value?.startsWith("language-")) return value.slice(9);
    if (tag === "span" && name === "class" && value?.startsWith("tg-")) return value.slice(3);
    if (tag === "tg-emoji" && name === "emoji-id") return value ?? "";
    if (tag === "blockquote" && name === "expandable") return "expandable";
    return undefined;
  }

  private endTag(): void {
    const { input } = this;
    const tagPos = this.pos;
    const top = this.open.at(-1);
    if (!top) throw parseError(`Unexpected end tag at byte offset ${this.byteOffset(tagPos)}`);
    let i = tagPos + 2;
    while (i < input.length && !isSpace(input[i]) && input[i] !== ">") i++;
    const name = input.slice(tagPos + 2, i).toLowerCase();
    i = this.skipSpaces(i);
    if (input[i] !== ">") throw parseError(`Unclosed end tag at byte offset ${this.byteOffset(tagPos)}`);
    if (name !== "" && name !== top.tag) {
      throw parseError(
        `Unmatched end tag at byte offset ${this.byteOffset(tagPos)}, expected "</${top.tag}>", found "</${name}>"`,
      );
    }
    this.open.pop();
    if (this.out.length > top.offset) this.addEntity(top);
    this.pos = i + 1;
  }

  private addEntity(tag: OpenTag): void {
    const offset = tag.offset;
    const length = this.out.length - offset;
    const simple = SIMPLE_ENTITY[tag.tag];
    if (simple) {
      this.entities.push({ type: simple, offset, length });
    } else if (tag.tag === "tg-emoji") {
      if (!/^\d+$/.test(tag.argument)) throw parseError("Invalid custom emoji identifier specified");
      this.entities.push({ type: "custom_emoji", offset, length, custom_emoji_id: tag.argument });
    } else if (tag.tag === "a") {
      const url = normalizeUrl(tag.argument || this.out.slice(offset));
      if (url) this.entities.push({ type: "text_link", offset, length, url });
    } else if (tag.tag === "pre" || tag.tag === "code") {
      this.addCode(tag, offset, length);
    } else if (tag.tag === "blockquote") {
      const type = tag.argument ? "expandable_blockquote" : "blockquote";
      this.entities.push({ type, offset, length });
    }
  }

  /** `<pre><code class="language-x">` is one pre entity with a language, as in Telegram. */
  private addCode(tag: OpenTag, offset: number, length: number): void {
    const last = this.entities.at(-1);
    const sameRange = last && last.offset === offset && last.length === length;
    if (tag.tag === "pre" && sameRange && last.type === "code") {
      last.type = "pre";
    } else if (tag.tag === "code" && sameRange && last.type === "pre") {
      if (tag.argument) last.language = tag.argument;
    } else if (tag.tag === "pre") {
      this.entities.push({ type: "pre", offset, length });
    } else {
      this.entities.push({
        type: "code",
        offset,
        length,
        ...(tag.argument ? { language: tag.argument } : {}),
      });
    }
  }
}

/** Telegram drops links it cannot use and adds http:// to bare domains. */
function normalizeUrl(raw: string): string | undefined {
  const url = raw.trim();
  if (url === "") return undefined;
  if (/^(https?|tg|ftp|mailto):/i.test(url)) return url;
  if (/^[\w.-]+\.[a-z]{2,}([/?#:].*)?$/i.test(url)) return `http://${url}`;
  return undefined;
}
