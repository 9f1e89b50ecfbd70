/** English texts. Values are HTML (parse mode) built with the escaping helpers; arguments are escaped. */
import { b, code, esc } from "../html.js";

export const en = {
  welcome: (name: string) =>
    [
      `👋 Hi ${esc(name)}! I am the ${b("Statistical Modeling Agent")}.`,
      "",
      "Send me a CSV file and I will profile it, suggest what to predict, train a model and show you how good it is.",
      "Later, send new data and I will send the predictions back as a file.",
      "",
      "📈 /train — train a model on your data",
      "🔮 /predict — predictions from a model you trained",
      "❓ /help — how it works",
    ].join("\n"),
  help: [
    b("How it works"),
    "",
    "1. /train, then send a CSV file (or just send the file).",
    "2. Check the summary: the column to predict and the task I suggest.",
    "3. Pick a model. Training runs on this machine and you see its progress.",
    "4. You get the metrics on data the model did not see during training.",
    "5. /predict, pick the model, send new rows with the same columns: the file comes back with a prediction column.",
    "",
    "/cancel stops what is going on.",
  ].join("\n"),
  askForData: `📤 Send me your data as a ${b("CSV")} file (first row = column names).`,
  readingFile: "⏳ Reading your file…",
  fileTooBig: (mb: number, limitMb: number) =>
    `❌ This file is ${mb.toFixed(1)} MB; I can download at most ${limitMb} MB from Telegram.\n` +
    "Send a smaller sample (fewer rows or columns), or compress it as a CSV without unused columns.",
  notADocument: "Please send the data as a file (📎 → File), not as a photo or text.",
  schemaCard: {
    title: (fileName: string) => `📊 ${b(fileName)}`,
    shape: (rows: number, cols: number) => `${rows.toLocaleString("en-US")} rows × ${cols} columns`,
    missing: (cells: number) =>
      cells === 0 ? "No missing cells" : `${cells.toLocaleString("en-US")} missing cells`,
    types: "Columns",
    suggestion: (target: string, task: string) => `🎯 Suggested target: ${code(target)} → ${b(task)}`,
    features: (n: number) => `🧩 Features: ${n} columns`,
    noTarget:
      "I could not find a column to predict. Check that the file has a column with at least two values.",
    accept: "✅ Accept",
  },
  pickModel: (task: string) => `🤖 Pick a model for ${b(task)}:`,
  recommended: "⭐",
  progressTitle: (model: string) => `🏋️ Training ${b(model)}`,
  phase: {
    launching: "Starting",
    queued: "Waiting in the queue",
    running: "Training",
    complete: "Done",
  },
  elapsed: (t: string) => `⏱ ${t}`,
  doneIn: (t: string) => `✅ Finished in ${t}`,
  resultTitle: (model: string) => `✅ ${b(model)} is trained`,
  heldOut: (n: number) => `Scored on ${n} rows the model did not see during training:`,
  hints: {
    r2: (v: string) => `explains ${v} of the variance`,
    accuracy: (v: string) => `right on ${v} of the rows`,
  },
  topFeatures: "Most important features:",
  modelId: (id: string) => `Model id: ${code(id)}`,
  predictNow: "🔮 Predict now",
  trainAnother: "🔁 Train another",
  done: "✔️ Done",
  cancel: "❌ Cancel",
  cancelled: "Cancelled. Send /train or /predict to start again.",
  nothingToCancel: "There is nothing to cancel.",
  finished: "👍 Done. Send /predict to use the model, or /train for another one.",
  failed: "❌ That did not work.",
  errorCard: (message: string, recovery: string, errCode: number) =>
    `❌ ${esc(message)}\n\n💡 ${esc(recovery)}${errCode ? `\n<i>code ${errCode}</i>` : ""}`,
  tryAnotherFile: "Send another file, or /cancel.",
  useButtons: "Please use the buttons above, or /cancel to stop.",
  staleButton: "This menu is out of date. Send /train or /predict to start again.",
  busy: "Still working on your previous message…",
  noModels: "You have no trained models yet. Send /train first.",
  pickPredictionModel: "🔮 Which model should make the predictions?",
  askForPredictionData: (model: string, features: string[]) =>
    `📤 Send the data for ${b(model)} as a CSV file.\nIt needs these columns: ${features.map(code).join(", ")}` +
    "\n(other columns are kept in the output and ignored by the model).",
  predicting: "⏳ Making predictions…",
  predictionsTitle: (n: number) => `✅ ${b(n.toLocaleString("en-US"))} predictions`,
  predictionsStats: "Predicted values:",
  predictionsClasses: "Predicted classes:",
  preview: "First rows:",
  predictionTime: (t: string) => `⏱ ${t}`,
  accessDenied: "Sorry, this bot is private. Ask its operator to add your Telegram user id.",
  internalError:
    "Something went wrong on our side. Please try again; if it keeps happening, send /cancel and start over.",
  sessionReset:
    "Your previous session could not be restored and was closed. Send /train or /predict to start again.",
};

export type Texts = typeof en;
