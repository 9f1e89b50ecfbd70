/**
 * Every message fits Telegram: one step, an API transformer, fits whatever the bot sends (screens, progress,
 * /history, /models, error cards, anything built from column names or file names) to Telegram's limits:
 * 4096 characters of text, 1024 of caption (counted as Telegram counts them, after HTML is parsed), 200 for
 * a callback answer, and keyboards of at most 8 buttons a row and 100 in all, with labels of 64 characters.
 * Cut HTML stays balanced: a tag is never split and every tag left open is closed.
 */
import type { Transformer } from "grammy";

export const MESSAGE_LIMIT = 4096;
export const CAPTION_LIMIT = 1024;
export const CALLBACK_ANSWER_LIMIT = 200;
const BUTTONS_PER_ROW = 8;
const BUTTONS_PER_KEYBOARD = 100;
const BUTTON_TEXT_LIMIT = 64;
const MORE = "…";

/** Methods whose `caption` is a caption (every other `text` is a message's text). */
const CAPTION_METHODS = new Set([
  "sendPhoto",
  "sendDocument",
  "sendVideo",
  "sendAudio",
  "sendAnimation",
  "sendVoice",
  "editMessageCaption",
  "copyMessage",
]);

/** The transformer: fits the text, caption and keyboard of every outgoing call. */
export function fitOutgoing(): Transformer {
  return (prev, method, payload, signal) => prev(method, fitPayload(method, payload), signal);
}

/** A payload with its text, caption and inline keyboard fitted (the same object when nothing changes). */
export function fitPayload<P>(method: string, payload: P): P {
  const p = payload as Record<string, unknown>;
  const out: Record<string, unknown> = { ...p };
  const html = typeof p.parse_mode === "string" && p.parse_mode.toLowerCase() === "html";
  if (typeof p.text === "string") {
    const limit = method === "answerCallbackQuery" ? CALLBACK_ANSWER_LIMIT : MESSAGE_LIMIT;
    out.text = html ? fitHtml(p.text, limit) : fitPlain(p.text, limit);
  }
  if (typeof p.caption === "string" && CAPTION_METHODS.has(method)) {
    out.caption = html ? fitHtml(p.caption, CAPTION_LIMIT) : fitPlain(p.caption, CAPTION_LIMIT);
  }
  const markup = p.reply_markup as { inline_keyboard?: unknown } | undefined;
  if (markup && Array.isArray(markup.inline_keyboard)) {
    out.reply_markup = { ...markup, inline_keyboard: fitKeyboard(markup.inline_keyboard) };
  }
  return out as P;
}

/** Text without markup, cut to `limit` UTF-16 units (never inside a surrogate pair), with "…" at the end. */
export function fitPlain(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return `${cutAt(text, limit - MORE.length)}${MORE}`;
}

/** Visible length of an HTML message: what Telegram counts once entities and tags are parsed. */
export function visibleLength(html: string): number {
  let n = 0;
  for (const token of tokens(html)) if (token.kind !== "tag") n += token.visible;
  return n;
}

/**
 * An HTML message cut to `limit` visible characters, preferring the end of a line (when one falls in the
 * second half of what is kept), with "…" appended and every tag left open closed.
 */
export function fitHtml(html: string, limit: number): string {
  if (visibleLength(html) <= limit) return html;
  const budget = limit - MORE.length - 1;
  let out = "";
  let visible = 0;
  const open: string[] = [];
  let lastLineEnd: { at: number; open: string[] } | undefined;
  for (const token of tokens(html)) {
    if (token.kind === "tag") {
      if (token.closing) open.pop();
      else if (!token.selfClosing) open.push(token.name);
      out += token.raw;
      continue;
    }
    if (visible + token.visible > budget) {
      const part = token.kind === "text" ? cutAt(token.raw, budget - visible) : "";
      const newline = part.lastIndexOf("\n");
      if (newline >= 0 && visible + newline >= budget / 2)
        lastLineEnd = { at: out.length + newline, open: [...open] };
      out += part;
      visible += part.length;
      break;
    }
    if (token.kind === "text" && token.raw.includes("\n")) {
      const at = out.length + token.raw.lastIndexOf("\n");
      if (visible >= budget / 2) lastLineEnd = { at, open: [...open] };
    }
    out += token.raw;
    visible += token.visible;
  }
  if (lastLineEnd && visible >= budget / 2) {
    out = out.slice(0, lastLineEnd.at);
    open.splice(0, open.length, ...lastLineEnd.open);
  }
  const closing = open
    .reverse()
    .map((name) => `</${name}>`)
    .join("");
  return `${out}${closing}\n${MORE}`;
}

/** At most `BUTTONS_PER_ROW` per row and `BUTTONS_PER_KEYBOARD` in all (the last row, navigation, kept). */
export function fitKeyboard(rows: unknown[]): unknown[][] {
  const split: unknown[][] = [];
  for (const row of rows) {
    const buttons = (Array.isArray(row) ? row : [row]).map(fitButton);
    for (let i = 0; i < buttons.length; i += BUTTONS_PER_ROW)
      split.push(buttons.slice(i, i + BUTTONS_PER_ROW));
  }
  const total = split.reduce((sum, row) => sum + row.length, 0);
  if (total <= BUTTONS_PER_KEYBOARD) return split;
  const last = split[split.length - 1];
  const kept: unknown[][] = [];
  let count = last.length;
  for (const row of split.slice(0, -1)) {
    if (count + row.length > BUTTONS_PER_KEYBOARD) break;
    kept.push(row);
    count += row.length;
  }
  return [...kept, last];
}

function fitButton(button: unknown): unknown {
  const b = button as { text?: unknown };
  if (typeof b?.text !== "string" || b.text.length <= BUTTON_TEXT_LIMIT) return button;
  return { ...b, text: fitPlain(b.text, BUTTON_TEXT_LIMIT) };
}

/** The first `n` UTF-16 units of `text`, one fewer when that would split a surrogate pair. */
function cutAt(text: string, n: number): string {
  if (n <= 0) return "";
  const code = text.charCodeAt(n - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? n - 1 : n);
}

type Token =
  | { kind: "tag"; raw: string; name: string; closing: boolean; selfClosing: boolean }
  | { kind: "entity"; raw: string; visible: 1 }
  | { kind: "text"; raw: string; visible: number };

const TOKEN = /<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);|[^<&]+|[<&]/g;

function* tokens(html: string): Generator<Token> {
  for (const match of html.matchAll(TOKEN)) {
    const raw = match[0];
    if (match[2]) {
      yield { kind: "tag", raw, name: match[2], closing: match[1] === "/", selfClosing: match[3] === "/" };
    } else if (raw.length > 1 && raw.startsWith("&")) yield { kind: "entity", raw, visible: 1 };
    else yield { kind: "text", raw, visible: raw.length };
  }
}
