/** Screens of the training workflow, built from its context only. */
import { InlineKeyboard } from "grammy";
import { categoriesFor, modelDisplayName, modelsFor, paramForm } from "../../flows/shared/models.js";
import { brokenCap } from "../../flows/shared/quote.js";
import { spotFallbacks, type TrainingContext } from "../../flows/training/machine.js";
import { b, code, esc, money, num } from "../html.js";
import type { Texts } from "../i18n/index.js";
import { trainingButtons } from "./buttons.js";
import { navRow, offerName, PAGE_SIZE, pagerRow, short, type View, withFeedback } from "./common.js";
import { datasetLines, TYPE_ICONS } from "./datasets.js";
import { sourceScreen } from "./sources.js";

/** A model type's display name, for screens outside a workflow (lists, /history); workflows carry theirs. */
export function modelName(modelType: string | undefined): string {
  return modelType ? modelDisplayName(modelType) : "";
}

export function sourceView(t: Texts, c: TrainingContext, state: string): View {
  return sourceScreen(t, c, state, [c.template ? t.source.template(c.template) : t.source.train]);
}

export function awaitingDataView(t: Texts, c: TrainingContext): View {
  const lines = c.error
    ? [t.source.tryAnother]
    : [c.template ? t.source.template(c.template) : t.source.train];
  return {
    text: withFeedback(t, lines, c),
    keyboard: navRow(t, c.workflowId, new InlineKeyboard(), { back: true }),
  };
}

export function schemaView(t: Texts, c: TrainingContext): View {
  const d = c.dataset!;
  const wf = c.workflowId;
  const lines = datasetLines(t, d);
  lines.push("");
  if (c.target && c.task) {
    lines.push(t.schema.target(c.target, t.task[c.task]));
    if (d.suggestion.target === c.target) lines.push(t.schema.suggested(d.suggestion.confidence));
    lines.push(t.schema.features(c.features?.length ?? 0, listNames(c.features ?? [], 8)));
    const unused = d.columns.map((col) => col.name).filter((n) => n !== c.target && !c.features?.includes(n));
    if (unused.length > 0) lines.push(t.schema.excluded(unusedList(t, c, unused, 6)));
    if (d.suggestion.target === c.target) lines.push(`<i>${inlineCode(d.suggestion.reason)}</i>`);
  } else {
    lines.push(t.schema.noTarget);
  }
  const keyboard = new InlineKeyboard();
  if (c.target && c.task && (c.features?.length ?? 0) > 0)
    keyboard.text(t.buttons.accept, trainingButtons.pack(wf, "acceptSchema")).row();
  keyboard.text(t.buttons.changeTarget, trainingButtons.pack(wf, "changeTarget"));
  keyboard.text(t.buttons.chooseFeatures, trainingButtons.pack(wf, "chooseFeatures"));
  const targetInfo = d.columns.find((col) => col.name === c.target);
  if (targetInfo && ["numeric", "integer", "boolean"].includes(targetInfo.type)) {
    const other = c.task === "regression" ? "classification" : "regression";
    if (other === "regression" || targetInfo.unique <= 100) {
      keyboard
        .row()
        .text(
          other === "classification" ? t.buttons.asClassification : t.buttons.asRegression,
          trainingButtons.pack(wf, "setTask", other[0]),
        );
    }
  }
  return { text: withFeedback(t, lines, c), keyboard: navRow(t, wf, keyboard, { back: true }) };
}

/** The columns not used, each with why: excluded by the suggestion (an id, free text…) or not selected. */
function unusedList(t: Texts, c: TrainingContext, unused: string[], max: number): string {
  const excluded = new Map((c.dataset?.suggestion.excluded ?? []).map((e) => [e.column, e]));
  const shown = unused.slice(0, max).map((name) => {
    const e = excluded.get(name);
    const why = !e
      ? t.schema.why.notSelected
      : e.reason === "nearUnique"
        ? t.schema.why.nearUnique(e.distinct, e.rows)
        : t.schema.why[e.reason];
    return t.schema.unused(name, why);
  });
  return unused.length > max ? `${shown.join(", ")} +${unused.length - max}` : shown.join(", ");
}

export function targetPickerView(t: Texts, c: TrainingContext): View {
  const wf = c.workflowId;
  const columns = c.dataset!.columns;
  const keyboard = new InlineKeyboard();
  const start = c.page * PAGE_SIZE;
  columns.slice(start, start + PAGE_SIZE).forEach((col, k) => {
    const index = start + k;
    const mark = col.name === c.target ? "🎯" : col.task ? (TYPE_ICONS[col.type] ?? "") : "🚫";
    keyboard.text(
      `${mark} ${index + 1}. ${short(col.name, 22)}`,
      trainingButtons.pack(wf, "pickTarget", String(index)),
    );
    if (k % 2 === 1) keyboard.row();
  });
  pagerRow(t, wf, keyboard, c.page, columns.length);
  return {
    text: withFeedback(t, [t.target.title, t.target.hint], c),
    keyboard: navRow(t, wf, keyboard, { back: true }),
  };
}

export function featurePickerView(t: Texts, c: TrainingContext): View {
  const wf = c.workflowId;
  const columns = c.dataset!.columns;
  const chosen = new Set(c.features ?? []);
  const keyboard = new InlineKeyboard();
  const start = c.page * PAGE_SIZE;
  columns.slice(start, start + PAGE_SIZE).forEach((col, k) => {
    const index = start + k;
    const mark = col.name === c.target ? "🎯" : chosen.has(col.name) ? "✅" : "▫️";
    keyboard.text(
      `${mark} ${index + 1}. ${short(col.name, 22)}`,
      trainingButtons.pack(wf, "toggleFeature", String(index)),
    );
    if (k % 2 === 1) keyboard.row();
  });
  pagerRow(t, wf, keyboard, c.page, columns.length);
  keyboard
    .row()
    .text(t.buttons.all, trainingButtons.pack(wf, "allFeatures"))
    .text(t.buttons.none, trainingButtons.pack(wf, "noFeatures"));
  keyboard.row().text(t.buttons.done, trainingButtons.pack(wf, "featuresDone"));
  const lines = [t.features.title(chosen.size, columns.length - 1), t.features.hint];
  return { text: withFeedback(t, lines, c), keyboard: navRow(t, wf, keyboard, { back: true }) };
}

export function categoryView(t: Texts, c: TrainingContext): View {
  const wf = c.workflowId;
  const keyboard = new InlineKeyboard();
  for (const category of categoriesFor(c.task!)) {
    keyboard
      .text(t.category.names[category] ?? category, trainingButtons.pack(wf, "pickCategory", category))
      .row();
  }
  return {
    text: withFeedback(t, [t.category.title(t.task[c.task!])], c),
    keyboard: navRow(t, wf, keyboard, { back: true }),
  };
}

export function modelPickerView(t: Texts, c: TrainingContext): View {
  const wf = c.workflowId;
  const keyboard = new InlineKeyboard();
  const lines = [t.model.title(t.task[c.task!]), ""];
  for (const m of modelsFor(c.task!, c.category)) {
    const star = m.recommended?.includes(c.task!) ? " ⭐" : "";
    keyboard.text(`${m.displayName}${star}`, trainingButtons.pack(wf, "pickModel", m.id)).row();
    lines.push(`• ${b(m.displayName)}${star} — ${esc(m.description)}`);
  }
  return { text: withFeedback(t, lines, c), keyboard: navRow(t, wf, keyboard, { back: true }) };
}

export function paramsView(t: Texts, c: TrainingContext, typing: boolean): View {
  const wf = c.workflowId;
  const form = paramForm(c.modelType!);
  const values = { ...form.defaults, ...c.hyperparameters };
  const keyboard = new InlineKeyboard();
  const lines = [t.params.title(c.modelName ?? c.modelType!), ""];
  for (const [name, value] of Object.entries(values)) {
    lines.push(`• ${code(name)} = ${b(show(value))}`);
  }
  if (typing && c.editingParam) {
    lines.push("", t.params.typing(c.editingParam, form.descriptions[c.editingParam] ?? ""));
    return { text: withFeedback(t, lines, c), keyboard: navRow(t, wf, keyboard, { back: true }) };
  }
  lines.push("", t.params.hint);
  for (const [name, options] of Object.entries(form.choices)) {
    options.forEach((option, index) => {
      const selected = show(values[name]) === show(option === "none" ? null : option);
      keyboard.text(
        `${selected ? "• " : ""}${name}=${show(option)}`,
        trainingButtons.pack(wf, "setParam", `${name}:${index}`),
      );
    });
    keyboard.text(t.buttons.custom, trainingButtons.pack(wf, "editParam", name)).row();
  }
  keyboard
    .text(t.buttons.useDefaults, trainingButtons.pack(wf, "paramsDone"))
    .text(t.buttons.resetParams, trainingButtons.pack(wf, "resetParams"));
  return { text: withFeedback(t, lines, c), keyboard: navRow(t, wf, keyboard, { back: true }) };
}

export function locationView(t: Texts, c: TrainingContext, quoting: boolean): View {
  const wf = c.workflowId;
  if (quoting) return { text: t.location.quoting };
  const keyboard = new InlineKeyboard();
  const lines = [t.location.title, ""];
  (c.offers ?? []).forEach((offer, index) => {
    const cost =
      offer.estimatedCost === 0
        ? t.location.free
        : `${money(offer.estimatedCost)} (${t.location.perHour(money(offer.hourlyRate))})`;
    lines.push(
      `${index + 1}. ${t.location.offer(esc(offerName(t, offer)), minutes(offer.estimatedMinutes), cost)}`,
    );
    keyboard
      .text(
        `${index + 1}. ${short(offerName(t, offer), 30)}`,
        trainingButtons.pack(wf, "pickOffer", String(index)),
      )
      .row();
  });
  const sources = [...new Set((c.offers ?? []).filter((o) => o.hourlyRate > 0).map((o) => o.priceSource))];
  if (sources.length > 0) lines.push("", t.location.priceSource(sources.join(", ")));
  return { text: withFeedback(t, lines, c), keyboard: navRow(t, wf, keyboard, { back: true }) };
}

export function confirmView(t: Texts, c: TrainingContext): View {
  const wf = c.workflowId;
  const offer = c.offer!;
  const lines = [
    t.confirm.title,
    "",
    t.confirm.where(offerName(t, offer)),
    t.confirm.rate(money(offer.hourlyRate)),
    t.confirm.estimate(minutes(offer.estimatedMinutes), money(offer.estimatedCost)),
  ];
  if (c.budget) lines.push(t.confirm.budget(money(c.budget.perJob), money(c.budget.monthlyLeft)));
  if (c.budget?.totalLeft !== undefined) lines.push(t.confirm.botBudget(money(c.budget.totalLeft)));
  const broken = c.budget && brokenCap(offer.estimatedCost, c.budget);
  const keyboard = new InlineKeyboard();
  if (!broken) keyboard.text(t.buttons.launch, trainingButtons.pack(wf, "launch"));
  else lines.push("", t.confirm.overCap[broken.cap](money(broken.left)));
  // The user decides whether a spot machine may stand in for the on-demand one chosen.
  if (spotFallbacks(c).length > 0) {
    lines.push("", c.allowSpot ? t.confirm.spotOn : t.confirm.spotOff);
    const toggle = c.allowSpot ? t.confirm.noSpot : t.confirm.allowSpot;
    keyboard.row().text(toggle, trainingButtons.pack(wf, "allowSpot", c.allowSpot ? "0" : "1"));
  }
  return { text: withFeedback(t, lines, c), keyboard: navRow(t, wf, keyboard, { back: true }) };
}

export function namingView(t: Texts, c: TrainingContext, what: "model" | "template"): View {
  const text = withFeedback(t, [what === "model" ? t.result.namePrompt : t.result.templatePrompt], c);
  return {
    text,
    keyboard: new InlineKeyboard().text(t.buttons.back, trainingButtons.pack(c.workflowId, "back")),
  };
}

/** Escapes text and turns `backtick` spans into code. */
export function inlineCode(text: string): string {
  return esc(text).replace(/`([^`]+)`/g, "<code>$1</code>");
}

export function listNames(names: string[], max: number): string {
  const shown = names.slice(0, max).map(code).join(", ");
  return names.length > max ? `${shown} +${names.length - max}` : shown;
}

export function minutes(m: number): string {
  if (m < 1) return `${Math.max(1, Math.round(m * 60))} s`;
  if (m < 90) return `${Math.round(m)} min`;
  return `${(m / 60).toFixed(1)} h`;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return "none";
  if (Array.isArray(value)) return value.join(",");
  if (typeof value === "number") return num(value, 6);
  return String(value);
}
