/** Where the data comes from, shared by training and prediction: upload, a stored dataset, or a template. */
import { InlineKeyboard } from "grammy";
import type { ErrorInfo, Notice, StoredDatasetChoice, TemplateChoice } from "../../flows/ports.js";
import type { Texts } from "../i18n/index.js";
import { sharedButtons } from "./buttons.js";
import { navRow, PAGE_SIZE, pagerRow, short, type View, withFeedback } from "./common.js";

/** What the source screens read from either workflow's context. */
export interface SourceContext {
  workflowId: string;
  page: number;
  template?: string;
  datasets?: StoredDatasetChoice[];
  templates?: TemplateChoice[];
  notice?: Notice;
  error?: ErrorInfo;
}

/**
 * The source step's screen for `state` (…ready, …datasets, …templates); `intro` are the lines of the main
 * screen, which differ between training and prediction.
 */
export function sourceScreen(t: Texts, c: SourceContext, state: string, intro: string[]): View {
  const wf = c.workflowId;
  const keyboard = new InlineKeyboard();
  if (state.endsWith(".datasets")) {
    const list = c.datasets ?? [];
    const start = c.page * PAGE_SIZE;
    for (const d of list.slice(start, start + PAGE_SIZE)) {
      keyboard.text(short(d.name, 40), sharedButtons.pack(wf, "pickDataset", d.datasetId)).row();
    }
    pagerRow(t, wf, keyboard, c.page, list.length);
    const text = list.length ? t.source.pickDataset : t.source.noDatasets;
    return { text, keyboard: navRow(t, wf, keyboard, { back: true }) };
  }
  if (state.endsWith(".templates")) {
    (c.templates ?? []).forEach((tpl, index) => {
      keyboard.text(`📋 ${short(tpl.name, 40)}`, sharedButtons.pack(wf, "useTemplate", String(index))).row();
    });
    const text = c.templates?.length ? t.source.pickTemplate : t.source.noTemplates;
    return { text, keyboard: navRow(t, wf, keyboard, { back: true }) };
  }
  const lines = [...intro];
  if (!c.template && ((c.datasets?.length ?? 0) > 0 || (c.templates?.length ?? 0) > 0)) {
    lines.push("", t.source.alternatives);
    if (c.datasets?.length) keyboard.text(t.buttons.myDatasets, sharedButtons.pack(wf, "datasets"));
    if (c.templates?.length) keyboard.text(t.buttons.templates, sharedButtons.pack(wf, "templates"));
  }
  return { text: withFeedback(t, lines, c), keyboard: navRow(t, wf, keyboard) };
}
