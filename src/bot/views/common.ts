import { InlineKeyboard } from "grammy";
import type { ErrorInfo } from "../../flows/ports.js";
import { A, pack } from "../callback-data.js";
import type { Texts } from "../texts/en.js";

/** What a screen shows: HTML text and optional buttons. */
export interface View {
  text: string;
  keyboard?: InlineKeyboard;
}

export function errorText(t: Texts, error: ErrorInfo): string {
  return t.errorCard(error.message, error.recovery, error.code);
}

export function cancelRow(t: Texts, wf: string, keyboard = new InlineKeyboard()): InlineKeyboard {
  return keyboard.text(t.cancel, pack({ wf, action: A.cancel }));
}
