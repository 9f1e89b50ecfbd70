/** Step-by-step chat flows and checks shared by the end-to-end tests. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { deserializeModel, predictFrame, readTable } from "../../src/ml/index.js";
import { TEST_SIGNING_KEY } from "./app.js";
import type { TestUser } from "./telegram.js";

export const fixture = (name: string) => readFileSync(join(import.meta.dirname, "../fixtures", name));
export const SLOW = { timeoutMs: 90_000 };
/** Flood limits loose enough that a test is not paced by Telegram's 1 msg/s per chat. */
export const FAST_TELEGRAM = {
  limits: { perChatPerSecond: 50, perChatBurst: 200, globalPerSecond: 500, globalBurst: 500 },
};
/** The bot's own pacing to match FAST_TELEGRAM. */
export const FAST_BOT_ENV = {
  TELEGRAM_PER_CHAT_PER_SECOND: "40",
  TELEGRAM_PER_CHAT_BURST: "150",
  TELEGRAM_GLOBAL_PER_SECOND: "400",
};

/** A CSV without one of its columns (simple CSVs only: no quoted commas). */
export function withoutColumn(csv: Buffer | string, column: string): string {
  const lines = csv.toString().trim().split(/\r?\n/);
  const index = lines[0].split(",").indexOf(column);
  return `${lines
    .map((line) =>
      line
        .split(",")
        .filter((_, i) => i !== index)
        .join(","),
    )
    .join("\n")}\n`;
}

export interface TrainSteps {
  file: string;
  bytes?: Buffer | string;
  /** The target the card must show, and its task. */
  expect: { target: string; task: "regression" | "classification" };
  category: RegExp;
  model: RegExp;
  /** Button presses on the parameters screen (e.g. /nEstimators=50/). */
  params?: RegExp[];
}

/** /train → upload → Accept → family → model → (params) → trained; returns the result card's text. */
export async function trainThroughChat(user: TestUser, steps: TrainSteps): Promise<string> {
  await user.send("/train");
  await user.waitFor(/Send me your data/);
  await user.upload(steps.file, steps.bytes ?? fixture(steps.file));
  await user.waitFor(new RegExp(`Target: ${escapeRegex(steps.expect.target)} → ${steps.expect.task}`));
  await user.click(/Accept/);
  await user.waitFor(/What kind of model/);
  await user.click(steps.category);
  await user.waitFor(/Pick a model/);
  await user.click(steps.model);
  const next = await user.waitFor(/settings|Training/);
  if (/settings/.test(next.text ?? "")) {
    for (const param of steps.params ?? []) {
      await user.click(param);
      await user.waitFor((m) => Boolean(m.text?.includes("settings")));
    }
    await user.click(/Continue/);
  }
  return (await user.waitFor(/is trained/, SLOW)).text ?? "";
}

/** /predict → upload → Continue → default column → Run → the predictions file's text. */
export async function predictThroughChat(
  user: TestUser,
  file: string,
  bytes: Buffer | string,
  model?: RegExp,
): Promise<string> {
  await user.send("/predict");
  await user.waitFor(/Send the file with the rows to predict/);
  await user.upload(file, bytes);
  await user.waitFor(/Models that fit this data/);
  await user.click(/Continue/);
  const next = await user.waitFor(/Which model|new column/);
  if (/Which model/.test(next.text ?? "")) {
    await user.click(model ?? /./);
    await user.waitFor(/new column/);
  }
  await user.click(/Use this name/);
  await user.waitFor(/Ready to run/);
  await user.click(/Run/);
  await user.waitFor((m) => Boolean(m.document), SLOW);
  return user.documents().at(-1)!.bytes.toString("utf8");
}

export function modelIdIn(resultText: string): string {
  const id = /Model id: (\S+)/.exec(resultText)?.[1];
  expect(id, "model id on the result card").toBeDefined();
  return id!;
}

/** The engine's own predictions for `csv`, from the model file the bot stored. */
export async function enginePredictions(
  dataDir: string,
  userId: number,
  modelId: string,
  csv: Buffer | string,
) {
  const dir = join(dataDir, "models", `user_${userId}`, modelId);
  const files: Record<string, Uint8Array> = {};
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile()) files[entry.name] = new Uint8Array(readFileSync(join(dir, entry.name)));
  }
  const { model } = deserializeModel(files, TEST_SIGNING_KEY, { userId, modelId });
  const frame = await readTable(new Uint8Array(Buffer.from(csv)), { fileName: "data.csv" });
  return predictFrame(model, frame).predictions;
}

/** The values of one column of a CSV we wrote (no quoted commas in these fixtures). */
export function csvColumn(csv: string, column: string): string[] {
  const lines = csv.trim().split(/\r?\n/);
  const index = lines[0].split(",").indexOf(column);
  expect(index, `column ${column} in ${lines[0]}`).toBeGreaterThanOrEqual(0);
  return lines.slice(1).map((line) => line.split(",")[index]);
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
