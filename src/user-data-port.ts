/**
 * The workflows' UserDataPort over the state store's per-user documents: templates, budgets, spend and model
 * names. Budget caps default to the configured ones; users can only lower them.
 */
import type { Config } from "./config.js";
import type { BudgetState, TemplateChoice, UserDataPort } from "./flows/ports.js";
import type { WorkflowStore } from "./state/store.js";

const MAX_TEMPLATES = 50;
const COSTED_JOBS_KEPT = 500;

export interface BudgetSettings {
  perTrainingJob?: number;
  perPrediction?: number;
  monthly?: number;
}

export function monthKey(at = new Date()): string {
  return at.toISOString().slice(0, 7);
}

export function createUserDataPort(store: WorkflowStore, config: Config): UserDataPort {
  const templates = async (userId: number) =>
    (await store.getUserDoc<TemplateChoice[]>(userId, "templates")) ?? [];
  return {
    async listTemplates(userId, kind) {
      return (await templates(userId)).filter((t) => t.kind === kind);
    },
    async saveTemplate(userId, template) {
      const all = (await templates(userId)).filter(
        (t) => t.name.toLowerCase() !== template.name.toLowerCase(),
      );
      if (all.length >= MAX_TEMPLATES)
        throw new Error(`You have ${MAX_TEMPLATES} templates; delete one first.`);
      await store.setUserDoc(userId, "templates", [
        ...all,
        { ...template, createdAt: new Date().toISOString() },
      ]);
    },
    async deleteTemplate(userId, name) {
      const all = await templates(userId);
      await store.setUserDoc(
        userId,
        "templates",
        all.filter((t) => t.name.toLowerCase() !== name.toLowerCase()),
      );
    },
    async setBudget(userId, caps) {
      const settings = (await store.getUserDoc<BudgetSettings>(userId, "budget")) ?? {};
      await store.setUserDoc(userId, "budget", { ...settings, ...caps });
    },
    async budget(userId): Promise<BudgetState> {
      const settings = (await store.getUserDoc<BudgetSettings>(userId, "budget")) ?? {};
      const spent = (await store.getUserDoc<number>(userId, `spend:${monthKey()}`)) ?? 0;
      return {
        perTrainingJob: Math.min(settings.perTrainingJob ?? Infinity, config.budget.maxTrainingCost),
        perPrediction: Math.min(settings.perPrediction ?? Infinity, config.budget.maxPredictionCost),
        monthly: Math.min(settings.monthly ?? Infinity, config.budget.monthlyBudget),
        spentThisMonth: spent,
      };
    },
    async recordJobCost(userId, jobId, dollars) {
      const costed = (await store.getUserDoc<string[]>(userId, "costed-jobs")) ?? [];
      if (costed.includes(jobId)) return;
      await store.setUserDoc(userId, "costed-jobs", [...costed, jobId].slice(-COSTED_JOBS_KEPT));
      await store.incrementUserCounter(userId, `spend:${monthKey()}`, dollars);
      // User 0 holds the total over all users, for /admin.
      await store.incrementUserCounter(0, `spend:${monthKey()}`, dollars);
    },
    async modelNames(userId) {
      return (await store.getUserDoc<Record<string, string>>(userId, "model-names")) ?? {};
    },
    async setModelName(userId, modelId, name) {
      const names = (await store.getUserDoc<Record<string, string>>(userId, "model-names")) ?? {};
      await store.setUserDoc(userId, "model-names", { ...names, [modelId]: name });
    },
  };
}
