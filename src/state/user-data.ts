/**
 * Per-user data that outlives workflows: settings (language, budget caps), templates (user-templates.ts),
 * the model index (modelId → display name, for a quick /models; artifacts stay in storage) and monthly
 * spend. Typed and zod-checked over the store's user documents and counters.
 */
import { z } from "zod";
import { DataError } from "../errors.js";
import { isDollarAmount, MAX_DOLLARS, toCents } from "./amounts.js";
import { checkedName } from "./names.js";
import type { WorkflowStore } from "./store.js";
import { type Template, type TemplateKind, UserTemplates } from "./user-templates.js";

export type Language = "en" | "pt";

/** Per-user budget caps in dollars, below the operator's; an unset cap is the operator's. */
export interface BudgetSettings {
  perTrainingJob?: number;
  perPrediction?: number;
  monthly?: number;
}

export interface UserSettings {
  /** Chosen with /language. */
  language?: Language;
  /** The Telegram client's language, last seen: used when the user chose none. */
  clientLanguage?: Language;
  budget: BudgetSettings;
}

/** The caps in force and this month's spend, in dollars. */
export interface BudgetState {
  perTrainingJob: number;
  perPrediction: number;
  monthly: number;
  spentThisMonth: number;
  /** The operator's cap over all users together (MONTHLY_BUDGET_TOTAL), and what all users spent. */
  totalMonthly: number;
  totalSpentThisMonth: number;
}

/** This month's spend for /admin: in total, by provider, and by user and provider. */
export interface SpendReport {
  month: string;
  total: number;
  byProvider: Record<string, number>;
  byUser: Array<{ userId: number; total: number; byProvider: Record<string, number> }>;
}

export interface ModelIndexEntry {
  modelId: string;
  name: string;
  createdAt: string;
}

export interface UserDataOptions {
  /** The operator's caps (config.budget): the default and the ceiling of every user's caps. */
  defaults: { perTrainingJob: number; perPrediction: number; monthly: number };
  /** The operator's cap over all users together, per month (default: none). */
  monthlyTotal?: number;
  now?: () => Date;
}

const MICROS_PER_DOLLAR = 1_000_000;
/** Telegram user ids are positive: 0 holds totals. */
const ALL_USERS = 0;
/** Where costs are recorded when the caller does not say (older jobs). */
const UNKNOWN_PROVIDER = "other";
const PROVIDERS = ["local", "aws", "runpod", UNKNOWN_PROVIDER];

const dollars = z.number().finite().min(0).max(MAX_DOLLARS);
const settingsSchema = z.object({
  language: z.enum(["en", "pt"]).optional(),
  clientLanguage: z.enum(["en", "pt"]).optional(),
  budget: z
    .object({
      perTrainingJob: dollars.optional(),
      perPrediction: dollars.optional(),
      monthly: dollars.optional(),
    })
    .default({}),
});
const modelSchema = z.object({ modelId: z.string().min(1), name: z.string(), createdAt: z.string() });
const counterSchema = z.coerce.number().int();

/** "YYYY-MM" of a date, in UTC: the month spend is counted in. */
export function monthOf(date: Date): string {
  return date.toISOString().slice(0, 7);
}

function checkDollars(value: number, what: string): number {
  if (!isDollarAmount(value)) {
    throw new DataError(
      `${what} must be a number of dollars between 0 and ${MAX_DOLLARS}.`,
      { value },
      {
        recovery: "Send an amount like 5 or 12.50.",
      },
    );
  }
  return value;
}

export class UserData {
  readonly templates: UserTemplates;
  private readonly now: () => Date;

  constructor(
    private readonly store: WorkflowStore,
    private readonly options: UserDataOptions,
  ) {
    this.now = options.now ?? (() => new Date());
    this.templates = new UserTemplates(store, this.now);
  }

  // === settings

  /** The user's settings; a missing or damaged document reads as the defaults. */
  async getSettings(userId: number): Promise<UserSettings> {
    const parsed = settingsSchema.safeParse((await this.store.getUserDoc(userId, "settings")) ?? {});
    return parsed.success ? parsed.data : { budget: {} };
  }

  async setLanguage(userId: number, language: Language): Promise<void> {
    z.enum(["en", "pt"]).parse(language);
    await this.updateSettings(userId, (s) => ({ ...s, language }));
  }

  /** Remembers the client's language (messages sent later by a background job use it). */
  async setClientLanguage(userId: number, language: Language): Promise<void> {
    z.enum(["en", "pt"]).parse(language);
    await this.updateSettings(userId, (s) => ({ ...s, clientLanguage: language }));
  }

  /**
   * Lowers (or restores) the user's caps. A cap at or above the operator's, or `null`, is cleared: the user
   * then follows the operator's cap, even when it changes later. @throws DataError for a bad amount
   */
  async setBudget(userId: number, changes: { [K in keyof BudgetSettings]?: number | null }): Promise<void> {
    for (const [name, value] of Object.entries(changes)) if (value != null) checkDollars(value, name);
    const { defaults } = this.options;
    await this.updateSettings(userId, (s) => {
      const budget: BudgetSettings = { ...s.budget };
      for (const [name, value] of Object.entries(changes) as Array<[keyof BudgetSettings, number | null]>) {
        if (value === null || value >= defaults[name]) delete budget[name];
        else budget[name] = toCents(value);
      }
      return { ...s, budget };
    });
  }

  /** The caps in force for the user (never above the operator's), and this month's spend, theirs and everyone's. */
  async budget(userId: number): Promise<BudgetState> {
    const [{ budget }, spentThisMonth, totalSpentThisMonth] = await Promise.all([
      this.getSettings(userId),
      this.getSpend(userId),
      this.totalSpend(),
    ]);
    const { defaults } = this.options;
    const cap = (name: keyof BudgetSettings) => Math.min(budget[name] ?? defaults[name], defaults[name]);
    return {
      perTrainingJob: cap("perTrainingJob"),
      perPrediction: cap("perPrediction"),
      monthly: cap("monthly"),
      spentThisMonth,
      totalMonthly: this.options.monthlyTotal ?? Number.POSITIVE_INFINITY,
      totalSpentThisMonth,
    };
  }

  private updateSettings(userId: number, change: (s: UserSettings) => UserSettings): Promise<UserSettings> {
    return this.store.updateUserDoc(userId, "settings", (raw) => {
      const parsed = settingsSchema.safeParse(raw ?? {});
      return change(parsed.success ? parsed.data : { budget: {} });
    });
  }

  // === spend, kept in integer micro-dollars so sums are exact

  /** Adds a cost to the month of `at` (default now); returns that month's total in dollars. */
  async addSpend(userId: number, amount: number, at = this.now()): Promise<number> {
    const micros = Math.round(checkDollars(amount, "A cost") * MICROS_PER_DOLLAR);
    const total = await this.store.incrementUserCounter(userId, `spend:${monthOf(at)}`, micros);
    return total / MICROS_PER_DOLLAR;
  }

  /**
   * Adds a job's actual cost to this month's spend once: a repeated call for the same job adds nothing. The
   * cost is counted for the user and for everyone (user 0), each in total and by provider.
   */
  async recordJobCost(
    userId: number,
    jobId: string,
    amount: number,
    provider: string = UNKNOWN_PROVIDER,
  ): Promise<void> {
    const micros = Math.round(checkDollars(amount, "A cost") * MICROS_PER_DOLLAR);
    const month = `spend:${monthOf(this.now())}`;
    const by = `${month}:${PROVIDERS.includes(provider) ? provider : UNKNOWN_PROVIDER}`;
    const once = `job:${jobId}`;
    for (const [who, counter] of [
      [userId, month],
      [userId, by],
      [ALL_USERS, month],
      [ALL_USERS, by],
    ] as const) {
      await this.store.incrementUserCounter(who, counter, micros, once);
    }
    if (micros > 0) {
      await this.store.updateUserDoc(ALL_USERS, `spenders:${monthOf(this.now())}`, (raw) => {
        const ids = Array.isArray(raw) ? raw.filter(Number.isSafeInteger) : [];
        return ids.includes(userId) ? ids : [...ids, userId];
      });
    }
  }

  /** Who spent what this month, by provider (for /admin). */
  async spendReport(month = monthOf(this.now())): Promise<SpendReport> {
    const byProviderOf = async (userId: number) => {
      const entries = await Promise.all(
        PROVIDERS.map(async (p) => [p, await this.getSpend(userId, `${month}:${p}`)] as const),
      );
      return Object.fromEntries(entries.filter(([, dollars]) => dollars > 0));
    };
    const raw = await this.store.getUserDoc(ALL_USERS, `spenders:${month}`);
    const ids = Array.isArray(raw) ? (raw.filter(Number.isSafeInteger) as number[]) : [];
    const byUser = await Promise.all(
      ids.map(async (userId) => ({
        userId,
        total: await this.getSpend(userId, month),
        byProvider: await byProviderOf(userId),
      })),
    );
    return {
      month,
      total: await this.getSpend(ALL_USERS, month),
      byProvider: await byProviderOf(ALL_USERS),
      byUser: byUser.sort((a, b) => b.total - a.total),
    };
  }

  /** This month's spend over every user, in dollars. */
  totalSpend(month = monthOf(this.now())): Promise<number> {
    return this.getSpend(ALL_USERS, month);
  }

  /** Spend in dollars for a month ("YYYY-MM", default this month). */
  async getSpend(userId: number, month = monthOf(this.now())): Promise<number> {
    const raw = await this.store.getUserDoc(userId, `spend:${month}`);
    const micros = counterSchema.safeParse(raw ?? 0);
    return micros.success ? micros.data / MICROS_PER_DOLLAR : 0;
  }

  // === model index

  /** Adds (or renames) a model in the index; the display name follows the one naming rule (names.ts). */
  async setModelName(userId: number, modelId: string, name: string): Promise<void> {
    const clean = checkedName(name, "model", "model name");
    await this.store.updateUserDoc(userId, "models", (raw) => {
      const models = readModels(raw);
      const createdAt = models[modelId]?.createdAt ?? this.now().toISOString();
      return { ...models, [modelId]: { modelId, name: clean, createdAt } };
    });
  }

  /** Removes a model from the index; false when it was not there. */
  async removeModel(userId: number, modelId: string): Promise<boolean> {
    let removed = false;
    await this.store.updateUserDoc(userId, "models", (raw) => {
      const models = readModels(raw);
      removed = modelId in models;
      delete models[modelId];
      return models;
    });
    return removed;
  }

  /** The user's models, newest first. */
  async listModels(userId: number): Promise<ModelIndexEntry[]> {
    const models = Object.values(readModels(await this.store.getUserDoc(userId, "models")));
    return models.sort(
      (a, b) => b.createdAt.localeCompare(a.createdAt) || a.modelId.localeCompare(b.modelId),
    );
  }

  /** modelId → display name. */
  async modelNames(userId: number): Promise<Record<string, string>> {
    const models = readModels(await this.store.getUserDoc(userId, "models"));
    return Object.fromEntries(Object.values(models).map((m) => [m.modelId, m.name]));
  }

  // === templates in the flows' UserDataPort shape; `templates` has the full API (use, rename, replace)

  listTemplates(userId: number, kind?: TemplateKind): Promise<Template[]> {
    return this.templates.list(userId, kind);
  }

  /** @throws DataError for a bad or taken name, a bad config, or the per-user limit */
  async saveTemplate(
    userId: number,
    template: { name: string; kind: TemplateKind; config: Record<string, unknown> },
  ): Promise<void> {
    await this.templates.save(userId, template);
  }

  async deleteTemplate(userId: number, name: string): Promise<void> {
    await this.templates.delete(userId, name);
  }
}

/** Valid entries of the model index; a damaged entry is skipped rather than hiding the others. */
function readModels(raw: unknown): Record<string, ModelIndexEntry> {
  const entries = raw && typeof raw === "object" ? Object.values(raw as Record<string, unknown>) : [];
  const models: Record<string, ModelIndexEntry> = {};
  for (const entry of entries) {
    const parsed = modelSchema.safeParse(entry);
    if (parsed.success) models[parsed.data.modelId] = parsed.data;
  }
  return models;
}
