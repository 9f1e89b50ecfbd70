/** What handlers use to talk to workflows: the conversation's current workflow, begin, send. */
import { randomBytes } from "node:crypto";
import type { AnyEventObject } from "xstate";
import { InvalidTransitionError, StateCorruptionError } from "../errors.js";
import { JOB_STATES, type WorkflowType } from "../flows/index.js";
import type { AnySnapshot } from "../state/definitions.js";
import type { ConversationKey } from "../state/store.js";
import type { BotContext } from "./context.js";
import { userLanguage } from "./language.js";
import { statePath } from "./renderer.js";

export interface CurrentWorkflow {
  type: string;
  workflowId: string;
  state: string;
  active: boolean;
  snapshot: AnySnapshot;
}

/** Short, URL-safe workflow instance ids, carried by every button. */
export function newWorkflowId(): string {
  return randomBytes(6).toString("base64url").replace(/[-_]/g, "x").toLowerCase();
}

export async function currentWorkflow(ctx: BotContext): Promise<CurrentWorkflow | undefined> {
  const key = ctx.conv!;
  try {
    const loaded = await ctx.deps.manager.load(key);
    if (!loaded) return undefined;
    const context = loaded.snapshot.context as { workflowId: string };
    return {
      type: loaded.definition.type,
      workflowId: context.workflowId,
      state: statePath(loaded.snapshot),
      active: loaded.snapshot.status === "active",
      snapshot: loaded.snapshot,
    };
  } catch (error) {
    if (!(error instanceof StateCorruptionError)) throw error;
    ctx.log.warn({ err: error }, "stored workflow unusable; closing it");
    await ctx.deps.manager.reset(key, String(error.details.reason ?? "corrupt"));
    await ctx.reply(ctx.texts.errors.sessionReset);
    return undefined;
  }
}

/** Cancels the active workflow (if any) and starts a new one of `type`. */
export async function beginWorkflow(
  ctx: BotContext,
  type: WorkflowType,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const key = ctx.conv!;
  const current = await currentWorkflow(ctx);
  // The old workflow ends quietly: the new one's first screen is the answer.
  if (current?.active) await sendQuietly(ctx, key, { type: "user.cancel", replaced: true });
  await ctx.deps.runtime.begin(key, type, {
    workflowId: newWorkflowId(),
    userId: key.userId,
    chatId: key.chatId,
    startedAt: new Date().toISOString(),
    language: await userLanguage(ctx.deps.userData, key.userId, ctx.from?.language_code),
    ...extra,
  });
}

/** Begins a workflow unless a job is running in this conversation (then says so). */
export async function beginUnlessBusy(
  ctx: BotContext,
  type: WorkflowType,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const current = await currentWorkflow(ctx);
  if (current?.active && JOB_STATES.has(current.state.split(".")[0])) {
    await ctx.reply(ctx.texts.busy);
    return;
  }
  await beginWorkflow(ctx, type, extra);
}

/** Sends an event, treating "not possible now" as a no-op (double presses, races with a finishing job). */
export async function sendQuietly(
  ctx: BotContext,
  key: ConversationKey,
  event: AnyEventObject,
): Promise<boolean> {
  try {
    await ctx.deps.runtime.send(key, event);
    return true;
  } catch (error) {
    if (error instanceof InvalidTransitionError) return false;
    throw error;
  }
}
