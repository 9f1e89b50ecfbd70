/**
 * Saved run configurations ("templates"): ONE store per user and ONE naming rule (the original bot had three
 * stores and two rules). A name is 1–40 letters, digits, spaces, "-" or "_", unique per user ignoring case;
 * a user keeps at most 50. Every change is one atomic read-modify-write of the user's template document.
 */
import { z } from "zod";
import { DataError } from "../errors.js";
import { checkedName, NAME_LENGTH, nameKey } from "./names.js";
import type { WorkflowStore } from "./store.js";

export const TEMPLATE_NAME_MAX = NAME_LENGTH.template.max;
export const TEMPLATES_PER_USER = 50;
/** Serialized size limit of one template's config: templates hold choices, never data. */
export const TEMPLATE_CONFIG_MAX_BYTES = 16_384;

const DOC = "templates";

export type TemplateKind = "training" | "prediction";

/** A saved configuration. Dates are ISO strings. */
export interface Template {
  name: string;
  kind: TemplateKind;
  config: Record<string, unknown>;
  createdAt: string;
  lastUsedAt: string;
}

const templateSchema = z.object({
  name: z.string(),
  kind: z.enum(["training", "prediction"]),
  config: z.record(z.string(), z.json()),
  createdAt: z.string(),
  lastUsedAt: z.string(),
});

/**
 * A template name by the one naming rule (state/names.ts).
 * @throws DataError with a message that states the rule
 */
export function normalizeName(raw: string, what = "name"): string {
  return checkedName(raw, "template", what);
}

export { nameKey };

/** Valid entries of the stored document; a damaged entry is skipped rather than hiding the others. */
function readDoc(raw: unknown): Record<string, Template> {
  const entries = raw && typeof raw === "object" ? Object.values(raw as Record<string, unknown>) : [];
  const templates: Record<string, Template> = {};
  for (const entry of entries) {
    const parsed = templateSchema.safeParse(entry);
    if (parsed.success) templates[nameKey(parsed.data.name)] = parsed.data as Template;
  }
  return templates;
}

function checkConfig(config: unknown): Record<string, unknown> {
  const parsed = z.record(z.string(), z.json()).safeParse(config);
  if (!parsed.success || JSON.stringify(parsed.data).length > TEMPLATE_CONFIG_MAX_BYTES)
    throw new DataError(
      "This configuration cannot be saved as a template.",
      {},
      {
        recovery: "Templates keep choices (columns, model, settings), not data.",
      },
    );
  return parsed.data;
}

function notFound(name: string): DataError {
  return new DataError(
    `There is no template called "${name}".`,
    { name },
    {
      recovery: "Send /templates to see the names you saved.",
    },
  );
}

function taken(name: string): DataError {
  return new DataError(
    `You already have a template called "${name}".`,
    { name },
    {
      recovery: "Pick another name, or delete the old template first.",
    },
  );
}

export class UserTemplates {
  constructor(
    private readonly store: WorkflowStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Saves a new template. With `replace`, an existing template of that name (any case) is overwritten and
   * keeps its creation date.
   * @throws DataError for a bad name or config, a taken name, or the 50-template limit
   */
  async save(
    userId: number,
    template: { name: string; kind: TemplateKind; config: Record<string, unknown> },
    options: { replace?: boolean } = {},
  ): Promise<Template> {
    const name = normalizeName(template.name, "template name");
    const config = checkConfig(template.config);
    const at = this.now().toISOString();
    let saved!: Template;
    await this.store.updateUserDoc(userId, DOC, (raw) => {
      const templates = readDoc(raw);
      const existing = templates[nameKey(name)];
      if (existing && !options.replace) throw taken(existing.name);
      if (!existing && Object.keys(templates).length >= TEMPLATES_PER_USER) {
        throw new DataError(
          `You have ${TEMPLATES_PER_USER} templates, the most you can keep.`,
          {},
          {
            recovery: "Delete a template you no longer use, then save again.",
          },
        );
      }
      saved = { name, kind: template.kind, config, createdAt: existing?.createdAt ?? at, lastUsedAt: at };
      templates[nameKey(name)] = saved;
      return templates;
    });
    return saved;
  }

  /** The user's templates, optionally of one kind, most recently used first. */
  async list(userId: number, kind?: TemplateKind): Promise<Template[]> {
    const templates = Object.values(readDoc(await this.store.getUserDoc(userId, DOC)));
    return templates
      .filter((t) => kind === undefined || t.kind === kind)
      .sort((a, b) => b.lastUsedAt.localeCompare(a.lastUsedAt) || a.name.localeCompare(b.name));
  }

  /** A template by name (any case), or undefined. */
  async get(userId: number, name: string): Promise<Template | undefined> {
    return readDoc(await this.store.getUserDoc(userId, DOC))[nameKey(name)];
  }

  /** Returns the template and records that it was used now. @throws DataError when there is none */
  async use(userId: number, name: string): Promise<Template> {
    const key = nameKey(name);
    let used!: Template;
    await this.store.updateUserDoc(userId, DOC, (raw) => {
      const templates = readDoc(raw);
      if (!templates[key]) throw notFound(name);
      used = { ...templates[key], lastUsedAt: this.now().toISOString() };
      templates[key] = used;
      return templates;
    });
    return used;
  }

  /** Renames a template (a change of case only is allowed). @throws DataError */
  async rename(userId: number, from: string, to: string): Promise<Template> {
    const fromKey = nameKey(from);
    const name = normalizeName(to, "template name");
    let renamed!: Template;
    await this.store.updateUserDoc(userId, DOC, (raw) => {
      const templates = readDoc(raw);
      const existing = templates[fromKey];
      if (!existing) throw notFound(from);
      const clash = templates[nameKey(name)];
      if (clash && clash !== existing) throw taken(clash.name);
      delete templates[fromKey];
      renamed = { ...existing, name };
      templates[nameKey(name)] = renamed;
      return templates;
    });
    return renamed;
  }

  /** Deletes a template; false when there was none of that name. */
  async delete(userId: number, name: string): Promise<boolean> {
    const key = nameKey(name);
    let deleted = false;
    await this.store.updateUserDoc(userId, DOC, (raw) => {
      const templates = readDoc(raw);
      deleted = key in templates;
      delete templates[key];
      return templates;
    });
    return deleted;
  }
}
