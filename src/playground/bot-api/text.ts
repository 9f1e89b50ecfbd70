/**
 * Turns a method's text or caption parameters into what Telegram stores: parsed text, entities, length
 * checked after parsing, surrounding whitespace trimmed, and the entities Telegram detects by itself.
 */
import { badRequest, ERR } from "./api-error.js";
import { type FormattedText, parseTelegramHtml } from "./html.js";
import type { TgMessageEntity } from "./types.js";

export interface FormatOptions {
  parseMode?: string;
  entities?: unknown;
  /** Text of a message (required, ≤ maxLength) or a caption (optional). */
  kind: "text" | "caption";
  maxLength: number;
}

/** Parses, trims and checks one text; throws Telegram's 400 errors. */
export function formatText(raw: string | undefined, options: FormatOptions): FormattedText {
  const parsed = parse(raw ?? "", options);
  const trimmed = trim(parsed);
  const text = trimmed.text;
  if (options.kind === "text" && text === "") throw badRequest(ERR.messageTextEmpty);
  if (text.length > options.maxLength) {
    throw badRequest(options.kind === "text" ? ERR.messageTooLong : ERR.captionTooLong);
  }
  return { text, entities: withDetectedEntities(text, trimmed.entities) };
}

function parse(raw: string, options: FormatOptions): FormattedText {
  const mode = options.parseMode ?? "";
  if (mode === "") return { text: raw, entities: explicitEntities(options.entities, raw.length) };
  if (mode.toLowerCase() === "html") return parseTelegramHtml(raw);
  if (/^markdown(v2)?$/i.test(mode)) {
    throw badRequest(`parse_mode ${mode} is not emulated by the playground; send HTML`);
  }
  throw badRequest("unsupported parse_mode");
}

function explicitEntities(value: unknown, textLength: number): TgMessageEntity[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badRequest("can't parse entities JSON object");
  return value.map((item) => {
    const entity = item as TgMessageEntity;
    const valid =
      typeof entity?.type === "string" &&
      Number.isInteger(entity.offset) &&
      Number.isInteger(entity.length) &&
      entity.offset >= 0 &&
      entity.length > 0 &&
      entity.offset + entity.length <= textLength;
    if (!valid) throw badRequest("can't parse entities: entity beyond the end of the text");
    return { ...entity };
  });
}

/** Telegram strips leading and trailing whitespace and shifts or clips entities to match. */
function trim({ text, entities }: FormattedText): FormattedText {
  const lead = text.length - text.trimStart().length;
  const result = text.trim();
  const clipped = entities
    .map((e) => {
      const start = Math.max(0, e.offset - lead);
      const end = Math.min(result.length, e.offset + e.length - lead);
      return { ...e, offset: start, length: end - start };
    })
    .filter((e) => e.length > 0);
  return { text: result, entities: clipped };
}

const DETECTORS: Array<{ type: string; pattern: RegExp }> = [
  { type: "bot_command", pattern: /(?<![\w/<>])\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/<>])/g },
  { type: "url", pattern: /\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g },
];

const NO_DETECTION_INSIDE = new Set(["code", "pre", "text_link"]);

/** Adds bot_command and url entities that don't overlap an entity already there. */
function withDetectedEntities(text: string, entities: TgMessageEntity[]): TgMessageEntity[] {
  const result = [...entities];
  for (const { type, pattern } of DETECTORS) {
    for (const match of text.matchAll(pattern)) {
      const offset = match.index ?? 0;
      const end = offset + match[0].length;
      const overlaps = result.some(
        (e) =>
          (e.type === type || NO_DETECTION_INSIDE.has(e.type)) &&
          e.offset < end &&
          offset < e.offset + e.length,
      );
      if (!overlaps) result.push({ type, offset, length: match[0].length });
    }
  }
  return result.sort((a, b) => a.offset - b.offset || b.length - a.length);
}
