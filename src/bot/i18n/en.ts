/**
 * English texts. Values are HTML for Telegram's HTML parse mode; every argument that came from a user or a
 * file is escaped by the helpers used here. pt.ts must have the same shape (the compiler checks it).
 */
import type { RoleName } from "../../ml/stats/index.js";
import { NAME_LENGTH } from "../../state/names.js";
import { b, code, esc, i, money } from "../html.js";

/** The naming rule in words, from its one definition (state/names.ts). */
const MODEL = NAME_LENGTH.model;
const TEMPLATE = NAME_LENGTH.template;

/** A refused launch: the cap it breaks, with how much of it is left. */
const overCap = {
  perJob: (left: string) =>
    `⚠️ This is over your cap of ${left} per job. Pick a cheaper option, or raise your caps with /budget.`,
  monthly: (left: string) =>
    `⚠️ This is more than the ${left} left of your monthly budget. Pick a cheaper option, or raise your caps with /budget.`,
  total: (left: string) =>
    `⚠️ This is more than the ${left} left this month of the bot's budget for all users (MONTHLY_BUDGET_TOTAL). Pick This machine, which is free, or ask the operator.`,
};
const OVER_BUDGET = "⚠️ This is over your budget. Pick a cheaper option, or raise your caps with /budget.";

export const en = {
  language: { name: "English", flag: "🇬🇧", changed: "Language: English.", choose: "Choose a language:" },
  welcome: (name: string) =>
    [
      `👋 Hi ${esc(name)}! I am the ${b("Statistical Modeling Agent")}.`,
      "",
      "Send me a data file (CSV, TSV, Excel or Parquet): I profile it, suggest what to predict, train the model you pick and show how good it is on data it did not see.",
      "Later, send new rows and I answer with a predictions file.",
      "",
      "📈 /train — train a model",
      "🔮 /predict — predictions from one of your models",
      "📊 /stats — describe the data, correlations and statistical tests",
      "🗂 /models · /datasets · /templates · /history",
      "💰 /budget · 🌐 /language · ❓ /help",
    ].join("\n"),
  help: [
    b("How it works"),
    "",
    "1. /train, then send a file (or just send the file). CSV, TSV, .xlsx and .parquet work; the first row names the columns.",
    "2. Check the summary: the column to predict (the target), the task, the columns used (features). Change any of them.",
    "3. Pick a model family, then a model, and optionally tune it.",
    "4. Pick where it trains: this machine is free; cloud options show their price before you confirm.",
    "5. Watch one progress message; then you get the metrics on held-out data, and charts.",
    "6. /predict, send new rows with the same columns, pick the model: the file comes back with a prediction column.",
    "7. /stats looks before you model: a summary of every column, correlations and hypothesis tests, in plain words.",
    "",
    "/cancel stops what is going on. ⬅️ Back goes one step back. Your models stay in /models.",
  ].join("\n"),
  commands: {
    start: "Welcome and what I can do",
    help: "How it works",
    train: "Train a model on your data",
    predict: "Predictions from a trained model",
    stats: "Summary, correlations and statistical tests",
    models: "Your trained models",
    datasets: "Your uploaded datasets",
    templates: "Saved settings to reuse",
    history: "Your last jobs",
    budget: "Spending caps",
    cancel: "Stop the current step",
    language: "Change the language",
    status: "Progress of the running job",
  },
  buttons: {
    upload: "📤 Upload a file",
    myDatasets: "📂 My datasets",
    templates: "📋 Templates",
    accept: "✅ Accept",
    changeTarget: "🎯 Change target",
    chooseFeatures: "🧩 Choose features",
    asClassification: "🔁 Treat as classification",
    asRegression: "🔁 Treat as regression",
    back: "⬅️ Back",
    cancel: "❌ Cancel",
    done: "✔️ Done",
    all: "All",
    none: "None",
    prev: "◀️",
    next: "▶️",
    useDefaults: "✅ Continue",
    resetParams: "↩️ Defaults",
    custom: "✏️ Custom…",
    launch: "🚀 Launch",
    nameModel: "✏️ Name model",
    predictNow: "🔮 Predict now",
    saveTemplate: "💾 Save as template",
    trainAnother: "🔁 Train another",
    continue: "✅ Continue",
    useThisName: "✅ Use this name",
    run: "▶️ Run",
    stop: "⛔ Cancel",
    anotherTest: "🧪 Another test",
    predictAnyway: "▶️ Predict anyway",
  },
  source: {
    train: `📤 Send me your data file (${b("CSV")}, TSV, .xlsx or .parquet; the first row names the columns).`,
    predict: `📤 Send the file with the rows to predict (the same columns the model was trained on).`,
    alternatives: "Or reuse something you have:",
    pickDataset: "📂 Pick one of your datasets:",
    noDatasets: "You have no stored datasets yet. Send a file instead.",
    pickTemplate: "📋 Pick a template:",
    noTemplates: "You have no templates yet. Save one from a result card (💾 Save as template).",
    template: (name: string) => `📋 Template ${b(name)} is ready: now send the data.`,
    reading: "⏳ Reading your file…",
    tryAnother: "Send another file, or /cancel.",
  },
  files: {
    tooBig: (mb: number, limitMb: number) =>
      `❌ This file is ${mb.toFixed(1)} MB; I can take at most ${limitMb} MB.\n` +
      "Send a sample (fewer rows), drop unused columns, or save it as .parquet, which is much smaller than CSV.",
    overLimit: (limitMb: number) =>
      `❌ This file is larger than ${limitMb} MB, the most I can take.\n` +
      "Send a sample (fewer rows), drop unused columns, or save it as .parquet, which is much smaller than CSV.",
    notADocument: "Please send the data as a file (📎 → File), not as a photo or text.",
    notNow:
      "I am not waiting for a file right now. Use the buttons above, or /train to start with this data.",
    stillReading: "⏳ Still reading your previous file…",
  },
  schema: {
    title: (fileName: string) => `📊 ${b(fileName)}`,
    shape: (rows: number, cols: number) => `${rows.toLocaleString("en-US")} rows × ${cols} columns`,
    missing: (cells: number) =>
      cells === 0 ? "no missing cells" : `${cells.toLocaleString("en-US")} missing cells`,
    types: "Columns",
    target: (target: string, task: string) => `🎯 Target: ${code(target)} → ${b(task)}`,
    suggested: (confidence: number) => i(`suggested with ${Math.round(confidence * 100)}% confidence`),
    features: (n: number, names: string) => `🧩 Features (${n}): ${names}`,
    noTarget: "⚠️ I could not find a column to predict. Pick one with 🎯 Change target.",
    notes: "Notes",
    excluded: (names: string) => `🚫 Not used: ${names}`,
    unused: (name: string, why: string) => `${code(name)} (${esc(why)})`,
    why: {
      identifier: "an id",
      freeText: "free text",
      nearUnique: (distinct: number, rows: number) =>
        `near-unique text: ${distinct.toLocaleString("en-US")} distinct values in ${rows.toLocaleString("en-US")} rows`,
      constant: "one value only",
      mostlyEmpty: "mostly empty",
      notSelected: "not selected",
    },
  },
  task: { regression: "regression", classification: "classification" } satisfies Record<string, string>,
  target: {
    title: "🎯 Which column should the model predict?",
    hint: "Tap a column, or type its name or number.",
  },
  features: {
    title: (n: number, total: number) => `🧩 Features: ${n} of ${total} columns selected.`,
    hint: "Tap to toggle; or type names and ranges, e.g. <code>1-5, price</code>.",
  },
  page: (page: number, pages: number) => `page ${page}/${pages}`,
  category: {
    title: (task: string) => `🤖 What kind of model for ${b(task)}?`,
    names: {
      auto: "🤖 Auto (best model)",
      linear: "📈 Linear models",
      trees: "🌳 Trees & ensembles",
      other: "🧮 SVM, kNN, Bayes",
      neural: "🧠 Neural network",
    } satisfies Record<string, string>,
  },
  model: {
    title: (task: string) => `🤖 Pick a model for ${b(task)}:`,
    recommended: "⭐ recommended",
  },
  params: {
    title: (model: string) => `⚙️ ${b(model)}: settings`,
    hint: "Tap a value to change it, or continue with these.",
    typing: (name: string, constraint: string) => `✏️ Type a value for ${code(name)} (${esc(constraint)}):`,
  },
  location: {
    title: "📍 Where should it run?",
    quoting: "⏳ Checking prices…",
    offer: (label: string, minutes: string, cost: string) => `${label} · ~${minutes} · ${cost}`,
    workers: (online: number, busy: number, waitMinutes: number) =>
      online === 0
        ? "Workers · none online yet"
        : `Workers · ${online} online, ${busy} busy · ${waitMinutes === 0 ? "no wait" : `about ${waitMinutes} min wait`}`,
    free: "free",
    perHour: (rate: string) => `${rate}/h`,
    priceSource: (source: string) => i(`prices: ${source}`),
  },
  confirm: {
    title: "🧾 Confirm",
    where: (label: string) => `Where: ${b(label)}`,
    rate: (rate: string) => `Price: ${rate} per hour`,
    estimate: (minutes: string, cost: string) => `Estimate: ~${minutes}, about ${b(cost)}`,
    budget: (perJob: string, left: string) => `Your caps: ${perJob} per job, ${left} left this month`,
    spotOff:
      "If this machine has no capacity, a similar one is tried instead. Spot machines are cheaper but can be taken back mid-training: they are tried only if you allow it.",
    spotOn: "If this machine has no capacity, similar ones are tried instead, spot machines included.",
    allowSpot: "🔁 Also try spot machines",
    noSpot: "🚫 On-demand only",
    botBudget: (left: string) => `The bot's budget for all users: ${left} left this month`,
    overCap,
  },
  progress: {
    title: (model: string) => `🏋️ Training ${b(model)}`,
    where: (label: string) => `📍 ${esc(label)}`,
    phase: {
      launching: "Starting",
      queued: "Waiting in the queue",
      running: "Training",
      complete: "Done",
      failed: "Failed",
      cancelled: "Cancelled",
    } satisfies Record<string, string>,
    queue: (position: number) => `in the queue, position ${position}`,
    elapsed: (t: string) => `⏱ ${t}`,
    cost: (c: string) => `💵 ${c} so far`,
    attempt: (offer: string, reason: string) => `↪️ ${esc(offer)}: ${esc(reason)}`,
    doneIn: (t: string) => `✅ Finished in ${t}`,
    stopping: {
      complete: "⏳ Finished: stopping the machine before showing the result…",
      failed: "⏳ Stopping the machine…",
      cancelled: "⏳ Cancelling: stopping the machine…",
    } satisfies Record<string, string>,
    stopRetry: (attempt: number, reason: string) =>
      `⚠️ Not confirmed yet (attempt ${attempt}): ${esc(reason)}. Trying again.`,
    gpu: (utilization: number, used: string, total: string) =>
      `🖥 GPU ${utilization}% · VRAM ${used}/${total} GB`,
    machineLog: "Last lines of the machine's own log:",
  },
  metrics: {
    accuracy: "Accuracy",
    precision: "Precision",
    recall: "Recall",
    logLoss: "Log-loss",
    short: { r2: "R²", accuracy: "acc" },
  },
  result: {
    title: (name: string) => `✅ ${b(name)} is trained`,
    heldOut: (n: number) => `Scored on ${n.toLocaleString("en-US")} rows it did not see during training:`,
    hints: {
      r2: (v: string) => `explains ${v} of the variance`,
      rmse: "typical error, in the target's units",
      mae: "average absolute error",
      accuracy: (v: string) => `right on ${v} of the rows`,
      f1: "balance of precision and recall",
      rocAuc: "ranking quality (0.5 = chance, 1 = perfect)",
    },
    balance: "Classes:",
    quartiles: (q1: string, q2: string, q3: string) => `Target quartiles: ${q1} · ${q2} · ${q3}`,
    topFeatures: "Most important features:",
    leaderboard: (n: number) => `🏁 Cross-validated leaderboard (${n} candidates):`,
    footer: (duration: string, where: string, cost: string) =>
      `⏱ ${duration} · 📍 ${esc(where)} · 💵 ${cost}`,
    computeGpu: (adapter: string) => `🖥 GPU: ${esc(adapter)}`,
    computeCpu: (reason: string) => `🖥 CPU — ${esc(reason)}`,
    modelId: (id: string) => `Model id: ${code(id)}`,
    quoted: (took: string, cost: string) => `🧾 Quoted: ~${took}, ${cost}`,
    namePrompt: `✏️ Type a name for this model (${MODEL.min}–${MODEL.max} letters, digits, spaces, - or _):`,
    templatePrompt: `💾 Type a name for this template (letters, digits, spaces, - and _; up to ${TEMPLATE.max}):`,
    templateSaved: (name: string) => `💾 Template ${b(name)} saved. Use it from /train → 📋 Templates.`,
    named: (name: string) => `✅ The model is now called ${b(name)}.`,
    finished: "👍 Done. /predict uses your model; /train trains another.",
  },
  predict: {
    compatible: "✅ Models that fit this data:",
    incompatible: "⚠️ Not usable with this data:",
    missing: (cols: string) => `missing ${cols}`,
    noneFit:
      "None of your models fits this data: the columns above are missing. Send another file, or /train a model on it.",
    pickModel: "🔮 Which model should make the predictions?",
    column: (name: string) => `🏷 The predictions will go in a new column ${code(name)}.`,
    columnHint: "Keep it, or type another name.",
    ready: "▶️ Ready to run",
    readyModel: (name: string) => `Model: ${b(name)}`,
    readyData: (file: string, rows: number) => `Data: ${esc(file)} (${rows.toLocaleString("en-US")} rows)`,
    readyColumn: (name: string) => `Column: ${code(name)}`,
    readyWhere: (label: string, cost: string) => `Where: ${esc(label)} · ${cost}`,
    running: "⏳ Making predictions…",
    title: (n: number) => `✅ ${b(n.toLocaleString("en-US"))} predictions`,
    stats: "Predicted values:",
    classes: "Predicted classes:",
    preview: "First rows:",
    time: (t: string) => `⏱ ${t}`,
    fileCaption: (name: string) => `📎 ${esc(name)}`,
    zipped: "The file was large, so it is zipped.",
    fallback: (where: string, reason: string) =>
      `⚠️ ${esc(where)} did not work (${esc(reason)}), so this machine ran the predictions instead.`,
    cloudNames: { aws: "AWS Lambda", runpod: "RunPod Serverless", local: "This machine" } satisfies Record<
      string,
      string
    >,
    link: (url: string) => `The file is too large for Telegram. Download it here (valid 24 h): ${esc(url)}`,
    outsideDomain: (n: number) =>
      `⚠️ ${n.toLocaleString("en-US")} ${n === 1 ? "row is" : "rows are"} outside the training domain (marked in ${code("outside_training_domain")}).`,
  },
  notices: {
    unknownColumns: (p: { columns: string }) =>
      `❓ No such column: ${code(p.columns)}. Use the names or numbers shown.`,
    notATarget: (p: { column: string; reason?: string }) =>
      `⚠️ ${code(p.column)} cannot be the target${p.reason ? `: ${esc(p.reason)}` : "."}`,
    targetIsNotAFeature: (p: { column: string }) =>
      `${code(p.column)} is the target; it cannot also be a feature.`,
    noFeatures: () => "⚠️ Select at least one feature.",
    badParam: (p: { message: string }) => `⚠️ ${esc(p.message)}`,
    overBudget: () => OVER_BUDGET,
    overJobCap: (p: { left: number }) => overCap.perJob(money(p.left)),
    overMonthlyCap: (p: { left: number }) => overCap.monthly(money(p.left)),
    overTotalCap: (p: { left: number }) => overCap.total(money(p.left)),
    badModelName: () => `⚠️ A name has ${MODEL.min}–${MODEL.max} letters, digits, spaces, - or _.`,
    badTemplateName: () =>
      `⚠️ A template name has ${TEMPLATE.min}–${TEMPLATE.max} letters, digits, spaces, - or _.`,
    templateSaved: (p: { name: string }) => `💾 Template ${b(p.name)} saved.`,
    templateMismatch: (p: { missing: string }) =>
      `⚠️ The template's columns are not all in this file (missing: ${esc(p.missing)}); I used my suggestion instead.`,
    noCompatibleModel: () => "⚠️ None of your models fits this data.",
    badColumnName: (p: { name: string }) =>
      `⚠️ ${code(p.name)} is not a valid column name (1–64 letters, digits, spaces, . _ - ( )).`,
    columnExists: (p: { name: string }) =>
      `⚠️ The data already has a column ${code(p.name)}; choose another name.`,
    error: (p: { message: string }) => `⚠️ ${esc(p.message)}`,
    notThisColumn: (p: { column: string }) =>
      `⚠️ ${code(p.column)} does not fit this question. Pick one of the columns without 🚫.`,
    tooFewValues: (p: { column: string; n: number; min: number }) =>
      `⚠️ ${code(p.column)} has ${p.n} usable values; this test needs at least ${esc(p.min)}. Pick other columns.`,
    noVariation: (p: { column: string }) =>
      `⚠️ ${code(p.column)} has the same value everywhere, so there is nothing to test. Pick other columns.`,
    oneGroup: (p: { column: string }) =>
      `⚠️ ${code(p.column)} leaves only one group with values, so there is nothing to compare.`,
  } satisfies Record<string, (params: never) => string>,
  errors: {
    card: (message: string, recovery: string, errCode: number) =>
      `❌ ${esc(message)}\n\n💡 ${esc(recovery)}${errCode ? `\n${i(`code ${errCode}`)}` : ""}`,
    internal:
      "Something went wrong on our side. Please try again; if it keeps happening, send /cancel and start over.",
    sessionReset:
      "Your previous session could not be restored and was closed. Send /train or /predict to start again.",
    accessDenied: "Sorry, this bot is private. Ask its operator to add your Telegram user id.",
    rateLimited: "You are sending messages very fast; I will answer again in a few seconds.",
  },
  models: {
    title: (n: number) => `🗂 ${b("Your models")} (${n})`,
    none: "You have no trained models yet. Send /train to make one.",
    line: (index: number, name: string, kind: string, metric: string, date: string) =>
      `${index}. ${b(name)} — ${esc(kind)}${metric ? ` · ${metric}` : ""} · ${esc(date)}`,
    card: (name: string) => `🧠 ${b(name)}`,
    kind: (model: string, task: string) => `${esc(model)}, ${esc(task)}`,
    target: (target: string) => `🎯 Target: ${code(target)}`,
    features: (n: number, names: string) => `🧩 Features (${n}): ${names}`,
    trained: (date: string, where: string, cost: string) => `📅 ${esc(date)} · 📍 ${esc(where)} · 💵 ${cost}`,
    rename: "✏️ Rename",
    delete: "🗑 Delete",
    download: "💾 Download",
    predict: "🔮 Predict",
    list: "⬅️ All models",
    renamePrompt: (name: string) =>
      `✏️ Type a new name for ${b(name)} (${MODEL.min}–${MODEL.max} letters, digits, spaces, - or _):`,
    renamed: (name: string) => `✅ Renamed to ${b(name)}.`,
    confirmDelete: (name: string) =>
      `🗑 Delete ${b(name)}? Its files are removed and it cannot be used for predictions any more.`,
    yesDelete: "🗑 Yes, delete",
    keep: "Keep it",
    deleted: (name: string) => `🗑 ${b(name)} was deleted.`,
    archiveCaption: (name: string) =>
      `💾 ${esc(name)}: model.json, metadata.json, signature.json. Loading it never runs code.`,
    gone: "This model no longer exists.",
  },
  datasets: {
    title: (n: number) => `📂 ${b("Your datasets")} (${n})`,
    none: "You have no stored datasets. Every file you send for training is kept here.",
    line: (index: number, name: string, size: string, date: string) =>
      `${index}. ${esc(name)} · ${size} · ${esc(date)}`,
    delete: (index: number) => `🗑 ${index}`,
    stats: (index: number) => `📊 ${index}`,
    hint: "📊 opens the summary and statistical tests of a dataset; 🗑 deletes it.",
    confirmDelete: (name: string) => `🗑 Delete the dataset ${b(name)}? Models trained on it are kept.`,
    deleted: (name: string) => `🗑 ${esc(name)} was deleted.`,
    train: "📈 Train on one",
  },
  templates: {
    title: (n: number) => `📋 ${b("Your templates")} (${n})`,
    none: "You have no templates. Save one from a result card (💾 Save as template) or before running predictions.",
    line: (index: number, name: string, kind: string, detail: string) =>
      `${index}. ${b(name)} — ${esc(kind)}: ${detail}`,
    kinds: { training: "training", prediction: "prediction" } satisfies Record<string, string>,
    use: (index: number) => `▶️ ${index}`,
    delete: (index: number) => `🗑 ${index}`,
    deleted: (name: string) => `🗑 Template ${b(name)} deleted.`,
  },
  history: {
    title: `🕘 ${b("Your last jobs")}`,
    none: "Nothing yet. Your finished trainings and predictions appear here.",
    line: (when: string, what: string, status: string, took: string, cost: string) =>
      `• ${esc(when)} — ${what} · ${status} · ${took} · ${cost}`,
    training: (model: string, target: string) => `🏋️ ${esc(model)} → ${code(target)}`,
    prediction: (model: string, rows: number) => `🔮 ${esc(model)}, ${rows.toLocaleString("en-US")} rows`,
    stats: (file: string, n: number) => `📊 ${esc(file)}, ${n} ${n === 1 ? "test" : "tests"}`,
    status: { complete: "✅", failed: "❌", cancelled: "⛔" } satisfies Record<string, string>,
    quoted: (took: string, cost: string) => `(quoted ~${took}, ${cost})`,
  },
  spend: {
    total: (spent: string, max: string) =>
      `💵 Spend this month (all users): ${b(spent)} of ${max} (MONTHLY_BUDGET_TOTAL)`,
    byProvider: (detail: string) => `By provider: ${detail}`,
    user: (id: string, spent: string, detail: string) => `• user ${code(id)}: ${spent} (${detail})`,
    none: "No paid compute was used this month.",
  },
  budget: {
    title: `💰 ${b("Your spending caps")}`,
    perJob: (v: string, max: string) => `Per training job: ${b(v)} (operator's cap ${max})`,
    perPrediction: (v: string, max: string) => `Per prediction: ${b(v)} (operator's cap ${max})`,
    monthly: (v: string, spent: string) => `This month: ${b(spent)} spent of ${v}`,
    hint: "Local training is free. Tap a cap to change it.",
    setJob: "✏️ Per job",
    setPrediction: "✏️ Per prediction",
    setMonthly: "✏️ Monthly",
    prompt: (what: string, max: string) => `✏️ Type the new ${what} in dollars (0–${max}), e.g. 2.50:`,
    what: {
      perTrainingJob: "cap per training job",
      perPrediction: "cap per prediction",
      monthly: "monthly cap",
    } satisfies Record<string, string>,
    bad: (max: string) => `⚠️ Type a number of dollars between 0 and ${max}, e.g. 2.50.`,
    saved: "✅ Saved.",
  },
  drift: {
    checking: "⏳ Comparing this data with the data the model was trained on…",
    title: "⚠️ This data does not look like the data the model was trained on:",
    feature: (name: string, detail: string) => `• ${code(name)}: ${detail}`,
    outside: (share: string, min: string, max: string) =>
      `${esc(share)} of the values lie outside the training range (${esc(min)} to ${esc(max)})`,
    moved: (before: string, now: string) =>
      `its distribution moved (median ${esc(before)} in training, ${esc(now)} now)`,
    mix: "the mix of its values changed",
    unseen: (n: number, examples: string, share: string) =>
      `${n} ${n === 1 ? "value" : "values"} the model never saw (${esc(examples)}), in ${esc(share)} of the rows`,
    more: (n: number) => `… and ${n} more ${n === 1 ? "feature" : "features"}.`,
    advice: `Predictions for such rows are extrapolations and may be wrong. The file marks every row outside the training domain in the column ${code("outside_training_domain")}.`,
    question: "Predict anyway?",
  },
  stats: {
    source: `📊 Send the data file to explore (${b("CSV")}, TSV, .xlsx or .parquet; the first row names the columns).`,
    summaryTitle: (file: string) => `📊 ${b(file)} — summary`,
    numbers: (name: string, type: string, count: string, mean: string, sd: string) =>
      `${b(name)} ${i(type)} · n ${esc(count)} · mean ${esc(mean)} ± ${esc(sd)}`,
    quartiles: (min: string, q1: string, median: string, q3: string, max: string) =>
      `   min ${esc(min)} · Q1 ${esc(q1)} · median ${esc(median)} · Q3 ${esc(q3)} · max ${esc(max)}`,
    categories: (name: string, type: string, count: string, unique: string, top: string) =>
      `${b(name)} ${i(type)} · n ${esc(count)} · ${esc(unique)} distinct · ${esc(top)}`,
    missing: (count: string) => ` · ${esc(count)} missing`,
    moreColumns: (n: number) => `… and ${n} more columns.`,
    correlations: "🔗 Strongest correlations (Pearson r, Spearman ρ):",
    pair: (a: string, z: string, r: string, pr: string, rho: string, prho: string) =>
      `• ${code(a)} ↔ ${code(z)}: r ${esc(r)} (${esc(pr)}) · ρ ${esc(rho)} (${esc(prho)})`,
    heatmapOmitted: (n: number) => `The heatmap shows the first 12 numeric columns; ${n} more are not in it.`,
    noCorrelations: "Fewer than two numeric columns, so no correlations to show.",
    sampled: (n: number, total: number) =>
      `Correlations from a random sample of ${n.toLocaleString("en-US")} of the ${total.toLocaleString("en-US")} rows; the tests use every row.`,
    menu: "🧪 Which test?",
    tests: {
      welch: "Welch's t-test",
      paired: "Paired t-test",
      mannWhitney: "Mann-Whitney U",
      anova: "One-way ANOVA",
      kruskal: "Kruskal-Wallis",
      chiSquare: "Chi-square independence",
      shapiro: "Shapiro-Wilk",
      dagostino: "D'Agostino-Pearson",
      regression: "Linear regression",
    } satisfies Record<string, string>,
    testHints: {
      welch: "compares the mean of a number between two groups",
      paired: "compares two measurements of the same rows (before/after)",
      mannWhitney: "compares two groups without assuming normal data",
      anova: "compares the mean of a number across several groups",
      kruskal: "compares several groups without assuming normal data",
      chiSquare: "tests whether two categorical columns are related",
      shapiro: "tests whether a number is normally distributed",
      dagostino: "tests normality from skewness and kurtosis",
      regression: "fits a straight line between two numbers",
    } satisfies Record<string, string>,
    ask: {
      values: "Which numeric column should be compared?",
      sample: "Which numeric column should be tested?",
      groups: "Which column holds the groups?",
      before: "Which column is the first measurement (before)?",
      after: "Which column is the second measurement (after)?",
      rows: "Which categorical column first?",
      columns: "Which categorical column to cross it with?",
      outcome: "Which column is the outcome (y)?",
      predictor: "Which column should explain it (x)?",
    } satisfies Record<RoleName, string>,
    pickHint: "Tap a column, or type its name or number. 🚫 marks columns that do not fit.",
    chosen: (names: string) => `Chosen so far: ${names}`,
    running: "⏳ Running the test…",
    finished: "👍 Done. /stats explores another file; /train trains a model on this one.",
    header: (test: string, columns: string) => `🧪 ${b(test)} — ${esc(columns)}`,
    statistic: (line: string) => esc(line),
    group: (name: string, n: string, mean: string, sd: string, median: string) =>
      `• ${b(name)}: n ${esc(n)}, mean ${esc(mean)} (SD ${esc(sd)}), median ${esc(median)}`,
    dropped: (n: number) => `${n} ${n === 1 ? "row" : "rows"} with a missing value left out.`,
    significant: "Statistically significant at the 5% level.",
    notSignificant: "Not statistically significant at the 5% level.",
    meanDifference: (column: string, a: string, z: string, diff: string, low: string, high: string) =>
      `The mean of ${code(column)} is ${esc(diff)} higher in ${b(a)} than in ${b(z)} (95% CI ${esc(low)} to ${esc(high)}).`,
    noMeanDifference: (column: string, a: string, z: string, diff: string, low: string, high: string) =>
      `The data are consistent with equal means of ${code(column)}: ${b(a)} − ${b(z)} is ${esc(diff)} (95% CI ${esc(low)} to ${esc(high)}), a gap that often arises by chance.`,
    pairedDifference: (after: string, before: string, diff: string, low: string, high: string) =>
      `On average ${code(before)} − ${code(after)} is ${esc(diff)} (95% CI ${esc(low)} to ${esc(high)}).`,
    rankShift: (column: string, higher: string, lower: string) =>
      `Values of ${code(column)} tend to be higher in ${b(higher)} than in ${b(lower)}.`,
    noRankShift: (column: string) => `Neither group tends to have higher values of ${code(column)}.`,
    groupsDiffer: (column: string) =>
      `The mean of ${code(column)} differs between at least two of the groups; the test does not say which ones.`,
    groupsSimilar: (column: string) =>
      `The data are consistent with the same mean of ${code(column)} in every group.`,
    ranksDiffer: (column: string) =>
      `At least one group tends to have higher values of ${code(column)} than another.`,
    ranksSimilar: (column: string) =>
      `No group tends to have higher values of ${code(column)} than the others.`,
    welchAnova: (line: string) => `Welch's ANOVA (no equal-variance assumption): ${esc(line)}`,
    associated: (a: string, z: string) =>
      `${code(a)} and ${code(z)} are related: the mix of one changes with the other.`,
    independent: (a: string, z: string) =>
      `The data are consistent with ${code(a)} and ${code(z)} being unrelated.`,
    yates: "Yates' continuity correction was applied (2×2 table).",
    notNormal: (column: string) => `${code(column)} does not look normally distributed.`,
    normal: (column: string) =>
      `No evidence against normality: ${code(column)} is consistent with a normal distribution.`,
    shape: (skewness: string, kurtosis: string) =>
      `Skewness ${esc(skewness)} (0 if symmetric) · excess kurtosis ${esc(kurtosis)} (0 for a normal curve).`,
    equation: (y: string, intercept: string, slope: string, x: string) =>
      `${code(y)} ≈ ${esc(intercept)} + ${esc(slope)} × ${code(x)}`,
    slope: (x: string, y: string, slope: string, low: string, high: string) =>
      `Each extra unit of ${code(x)} goes with ${esc(slope)} more ${code(y)} (95% CI ${esc(low)} to ${esc(high)}).`,
    intercept: (low: string, high: string) => `Intercept 95% CI: ${esc(low)} to ${esc(high)}.`,
    explained: (x: string, y: string, share: string) =>
      `${code(x)} explains ${esc(share)} of the variation in ${code(y)}.`,
    effect: (name: string, value: string, size: string) =>
      `📏 Effect size: ${esc(name)} = ${esc(value)} (${esc(size)})`,
    effects: {
      cohensD: "Cohen's d",
      rankBiserial: "rank-biserial r",
      etaSquared: "η²",
      epsilonSquared: "ε²",
      cramersV: "Cramér's V",
      rSquared: "R²",
      correlation: "r",
    } satisfies Record<string, string>,
    magnitudes: {
      negligible: "negligible",
      small: "small",
      medium: "medium",
      large: "large",
    } satisfies Record<string, string>,
    method: {
      exact: "The p-value is exact.",
      asymptotic: "The p-value uses the normal approximation with tie and continuity corrections.",
    } satisfies Record<string, string>,
    checks: "Checks:",
    check: {
      normalGroups: (group: string, p: string) =>
        `${code(group)} does not look normal (Shapiro-Wilk ${esc(p)})`,
      normalDifferences: (group: string, p: string) =>
        `the differences ${code(group)} do not look normal (Shapiro-Wilk ${esc(p)})`,
      normalResiduals: (p: string) => `the residuals do not look normal (Shapiro-Wilk ${esc(p)})`,
      tooSmall: (group: string, n: number) =>
        `${code(group)} has only ${n} values: normality cannot be checked`,
      normalOk: "every group looks normal, or is large enough (30+) for the test to be robust",
      residualsOk: "the residuals look normal, or there are enough points (30+)",
      differencesOk: "the differences look normal, or there are enough pairs (30+)",
      equalVariances: (p: string) => `the groups' spreads differ (Levene ${esc(p)})`,
      equalVariancesOk: (p: string) => `the groups' spreads are similar (Levene ${esc(p)})`,
      groupSize: (n: number) => `the smallest group has ${n} values; the p-value is approximate below 5`,
      groupSizeOk: "every group has 5 or more values",
      expectedCounts: (min: string, share: string) =>
        `some expected counts are small (smallest ${esc(min)}, ${esc(share)} of cells below 5)`,
      expectedCountsOk: "the expected counts are large enough (Cochran's rule)",
      sampleSizeLarge: (n: number) => `${n} values: Shapiro-Wilk's p-value is reliable only up to 5,000`,
      sampleSizeSmall: (n: number) => `only ${n} values: D'Agostino-Pearson wants at least 20`,
      sampleSizeOk: "the sample size suits this test",
      constantSpread: (p: string) => `the scatter around the line changes along it (${esc(p)})`,
      constantSpreadOk: "the scatter around the line is even",
      outliers: (n: number) => `${n} ${n === 1 ? "point lies" : "points lie"} more than 3 SD from the line`,
      outliersOk: "no point lies far from the line",
    },
    instead: {
      mannWhitney: "use the Mann-Whitney U test instead",
      welchAnova: "rely on Welch's ANOVA above",
      kruskal: "use the Kruskal-Wallis test instead",
      wilcoxonSignedRank: "a Wilcoxon signed-rank test would be safer",
      fisherExact: "use Fisher's exact test instead",
      mergeCategories: "merge rare categories and test again",
      dagostino: "use the D'Agostino-Pearson test instead",
      shapiro: "use the Shapiro-Wilk test instead",
      spearman: "check Spearman's rank correlation, which outliers sway less",
      transform: "try a log transform of the outcome, or read the p-value with care",
      welch: "use Welch's t-test instead",
    } satisfies Record<string, string>,
  },
  stale: "This menu is out of date. Send /train or /predict to start again.",
  useButtons: "Please use the buttons of the last message, or /cancel to stop.",
  busy: "⏳ A job is running. Wait for it, check /status, or /cancel it first.",
  cancelled: "Cancelled. Send /train or /predict to start again.",
  nothingToCancel: "There is nothing to cancel.",
  noJob: "No job is running.",
  failed: "❌ That did not work.",
};

export type Texts = typeof en;
