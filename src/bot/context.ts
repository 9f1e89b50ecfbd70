/** The bot's Context type and the dependencies every handler gets (no singletons). */
import type { ConversationFlavor } from "@grammyjs/conversations";
import type { Context } from "grammy";
import type { Config } from "../config.js";
import type { Catalog } from "../flows/catalog.js";
import type { Logger } from "../logger.js";
import type { WorkflowRuntime } from "../state/runtime.js";
import type { StateManager } from "../state/state-manager.js";
import type { ConversationKey } from "../state/store.js";
import type { UserData } from "../state/user-data.js";
import type { Texts } from "./i18n/index.js";
import type { QueueMetricsSource } from "./metrics.js";
import type { Renderer } from "./renderer.js";

export interface BotDeps {
  config: Config;
  logger: Logger;
  manager: StateManager;
  runtime: WorkflowRuntime;
  /** Where downloaded uploads wait before a workflow ingests them. */
  stagingDir: string;
  renderer: Renderer;
  catalog: Catalog;
  userData: UserData;
  /** The cloud reconciler, when cloud compute is configured (for /admin). */
  reconciler?: { lastReport(): ReconcilerReport | undefined };
  /** The worker fleet, when Redis is configured (for /admin). */
  fleet?: FleetAdminPort;
  /** `npm run doctor`'s checks, as its printed table (for /admin doctor). */
  doctor(): Promise<string>;
  /** The user's texts: their /language choice, else their Telegram client's language. */
  texts(userId: number, clientLanguage?: string): Promise<Texts>;
}

/** What /admin shows of the worker fleet (src/cloud/fleet/queue.ts). */
export interface FleetAdminPort extends QueueMetricsSource {
  workers(): Promise<
    {
      id: string;
      host: string;
      cores: number;
      slots: Record<string, number>;
      running: number;
      lastSeen: number;
    }[]
  >;
  failedJobs(limit?: number): Promise<{ jobId: string; kind: string; reason: string; at?: number }[]>;
}

export interface ReconcilerReport {
  at: string;
  checked: number;
  /** What was terminated, e.g. "aws i-0abc (job x)". */
  terminated: string[];
  errors: string[];
}

export interface BotFlavor {
  deps: BotDeps;
  log: Logger;
  texts: Texts;
  /** The conversation this update belongs to; the user id comes only from the update. */
  conv?: ConversationKey;
}

/** A dialog's own context (src/bot/dialogs.ts): what every handler has, without the dialog controls. */
export type DialogContext = Context & BotFlavor;

export type BotContext = ConversationFlavor<DialogContext>;
