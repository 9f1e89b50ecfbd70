import type { InlineKeyboard } from "grammy";
import type { ComputeOffer } from "../../cloud/offers.js";
import type { ErrorInfo, Notice } from "../../flows/ports.js";
import type { Texts } from "../i18n/index.js";
import { sharedButtons } from "./buttons.js";

/** What a screen shows: HTML text and optional buttons. */
export interface View {
  text: string;
  keyboard?: InlineKeyboard;
}

export function errorText(t: Texts, error: ErrorInfo): string {
  return t.errors.card(error.message, error.recovery, error.code);
}

export function noticeText(t: Texts, notice: Notice | undefined): string | undefined {
  if (!notice) return undefined;
  // Notices come from the machines by key; an unknown key shows nothing rather than breaking the screen.
  const render = (t.notices as Record<string, ((params: unknown) => string) | undefined>)[notice.key];
  return render ? render(notice.params ?? {}) : undefined;
}

/** Appends the notice (feedback on the last input) and the error, if any, to a screen's lines. */
export function withFeedback(t: Texts, lines: string[], c: { notice?: Notice; error?: ErrorInfo }): string {
  const extra = [noticeText(t, c.notice), c.error ? errorText(t, c.error) : undefined].filter(Boolean);
  return [...lines, ...(extra.length ? ["", ...extra] : [])].join("\n");
}

/** The last row of a screen: Back (when the step has one) and Cancel. */
export function navRow(
  t: Texts,
  wf: string,
  keyboard: InlineKeyboard,
  options: { back?: boolean } = {},
): InlineKeyboard {
  keyboard.row();
  if (options.back) keyboard.text(t.buttons.back, sharedButtons.pack(wf, "back"));
  return keyboard.text(t.buttons.cancel, sharedButtons.pack(wf, "cancel"));
}

export const PAGE_SIZE = 12;

export function pageCount(total: number): number {
  return Math.max(1, Math.ceil(total / PAGE_SIZE));
}

/** ◀️ page ▶️ controls, when there is more than one page. */
export function pagerRow(t: Texts, wf: string, keyboard: InlineKeyboard, page: number, total: number): void {
  const pages = pageCount(total);
  if (pages <= 1) return;
  const current = Math.min(page, pages - 1);
  keyboard.row();
  keyboard.text(t.buttons.prev, sharedButtons.pack(wf, "page", String((current - 1 + pages) % pages)));
  keyboard.text(t.page(current + 1, pages), sharedButtons.pack(wf, "noop"));
  keyboard.text(t.buttons.next, sharedButtons.pack(wf, "page", String((current + 1) % pages)));
}

/** An offer's name in the user's language: the worker fleet as it stands now, or the offer's own label. */
export function offerName(t: Texts, offer: Pick<ComputeOffer, "label" | "fleet">): string {
  const fleet = offer.fleet;
  return fleet ? t.location.workers(fleet.online, fleet.busy, fleet.waitMinutes) : offer.label;
}

/** A button label that fits: long column names are shortened in the middle. */
export function short(label: string, max = 28): string {
  if (label.length <= max) return label;
  const half = Math.floor((max - 1) / 2);
  return `${label.slice(0, half)}…${label.slice(-half)}`;
}
