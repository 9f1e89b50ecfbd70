/**
 * How src/state knows about machines without importing src/flows: each flow registers a definition with its
 * machine and a version. Snapshots are stored in a versioned envelope (STYLE R11) so that a snapshot written by
 * an older machine is migrated or closed with a message, never handed to createActor as an unknown shape.
 */
import { type Actor, type AnyStateMachine, createActor, type MachineSnapshot } from "xstate";
import { z } from "zod";
import { StateCorruptionError, StateManagementError } from "../errors.js";

// biome-ignore lint/suspicious/noExplicitAny: snapshots of every machine flow through this layer
export type AnySnapshot = MachineSnapshot<any, any, any, any, any, any, any, any>;

/** One version's step of a migration table: the persisted snapshot of version n as version n + 1. */
export type MigrationStep = (persisted: unknown) => unknown | undefined;

export interface WorkflowDefinition {
  /** e.g. "training", "prediction" */
  type: string;
  /** Bump whenever states or context change shape; older snapshots then go through `migrate`. */
  version: number;
  /** The machine with its ports provided. Pure transitions never start its actors; live actors do. */
  machine: AnyStateMachine;
  /**
   * Turns a persisted snapshot of an older version into the current shape, or returns undefined when it
   * cannot (the workflow is then closed and the user told). A throw counts as "cannot".
   */
  migrate?: (fromVersion: number, persisted: unknown) => unknown | undefined;
  /**
   * The migration table, used instead of `migrate` when given: from version n, the step that carries a
   * persisted snapshot to n + 1 (undefined: it cannot be carried). A snapshot goes through every step up to
   * `version`, so a workflow monitoring a paid job survives any number of deploys.
   */
  migrations?: Readonly<Record<number, MigrationStep>>;
  /** Optional schema of the context, checked on every restore: catches drift that a version bump missed. */
  context?: z.ZodType;
}

/** Why a stored snapshot could not be used; the bot turns this into a message for the user. */
export type CorruptionReason =
  | "unreadable"
  | "unknown-workflow"
  | "outdated"
  | "invalid-state"
  | "invalid-context"
  | "actor-failed";

const MESSAGES: Record<CorruptionReason, string> = {
  unreadable: "The saved session could not be read.",
  "unknown-workflow": "The saved session belongs to a workflow this version no longer has.",
  outdated: "The saved session was made by an older version of the bot and could not be carried over.",
  "invalid-state": "The saved session is in a step this version no longer has.",
  "invalid-context": "The saved session holds data this version cannot use.",
  "actor-failed": "The session stopped on an internal error.",
};

/** The error for an unusable snapshot; `details.reason` says why (a tombstone may carry any reason). */
export function corruption(
  reason: CorruptionReason | (string & {}),
  details: Record<string, unknown> = {},
): StateCorruptionError {
  const message = MESSAGES[reason as CorruptionReason] ?? "The saved session could not be used.";
  return new StateCorruptionError(message, { reason, ...details });
}

/** What a stored envelope holds: a workflow to restore, or the tombstone of one that was closed. */
export type DecodedEnvelope =
  | { kind: "workflow"; definition: WorkflowDefinition; persisted: unknown }
  | { kind: "closed"; workflowType: string; reason: string; told: boolean };

const envelopeSchema = z.object({
  machine: z.string(),
  v: z.number().int().optional(),
  snapshot: z.unknown().optional(),
  closed: z.object({ reason: z.string(), at: z.string(), told: z.boolean() }).optional(),
});

export function encodeEnvelope(definition: WorkflowDefinition, persisted: unknown): string {
  return JSON.stringify({ machine: definition.type, v: definition.version, snapshot: persisted });
}

/** The tombstone of a closed workflow; the unusable envelope is kept (truncated) for diagnosis. */
export function encodeClosed(workflowType: string, reason: string, told: boolean, previous: string): string {
  const closed = { reason, at: new Date().toISOString(), told };
  return JSON.stringify({ machine: workflowType, closed, previous: previous.slice(0, 64_000) });
}

/**
 * Decodes an envelope into the persisted snapshot for the current machine version (migrating if needed).
 * @throws StateCorruptionError with details.reason when it can never be used
 * @throws StateManagementError (reason "newer-version") when a newer deployment wrote it: not ours to close
 */
export function decodeEnvelope(
  raw: string,
  definitions: ReadonlyMap<string, WorkflowDefinition>,
): DecodedEnvelope {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw corruption("unreadable");
  }
  const envelope = envelopeSchema.safeParse(parsed);
  if (!envelope.success) throw corruption("unreadable");
  const { machine, v, snapshot, closed } = envelope.data;
  if (closed) return { kind: "closed", workflowType: machine, ...closed };
  const definition = definitions.get(machine);
  if (!definition) throw corruption("unknown-workflow", { workflowType: machine });
  if (v === undefined) throw corruption("unreadable", { workflowType: machine });
  if (v === definition.version) return { kind: "workflow", definition, persisted: snapshot };
  if (v > definition.version) {
    throw new StateManagementError("This conversation was saved by a newer version of the bot.", {
      reason: "newer-version",
      workflowType: machine,
      from: v,
    });
  }
  const migrated = migrateQuietly(definition, v, snapshot);
  if (migrated === undefined) throw corruption("outdated", { workflowType: machine, from: v });
  return { kind: "workflow", definition, persisted: migrated };
}

/** A persisted snapshot carried from version `from` to `to` through the table; undefined when a step is missing or refuses. */
export function migrateThrough(
  steps: Readonly<Record<number, MigrationStep>>,
  from: number,
  to: number,
  persisted: unknown,
): unknown | undefined {
  let current = persisted;
  for (let version = from; version < to && current !== undefined; version++) {
    const step = steps[version];
    if (!step) return undefined;
    current = step(current);
  }
  return current;
}

function migrateQuietly(definition: WorkflowDefinition, from: number, snapshot: unknown): unknown {
  try {
    if (definition.migrations)
      return migrateThrough(definition.migrations, from, definition.version, snapshot);
    return definition.migrate?.(from, snapshot);
  } catch {
    return undefined;
  }
}

const persistedShape = z.looseObject({
  status: z.enum(["active", "done", "error", "stopped"]),
  value: z.union([z.string(), z.record(z.string(), z.unknown())]),
  context: z.record(z.string(), z.unknown()),
  children: z.record(z.string(), z.looseObject({ src: z.string(), snapshot: z.unknown() })),
});

/**
 * Restores a persisted snapshot into an actor that is NOT started. XState turns an unknown state into an
 * error snapshot (and a started actor would rethrow it asynchronously), and silently drops an invoked child
 * whose actor no longer exists; both are refused here, so nothing unusable is ever started.
 * `persisted` must be freshly parsed JSON: XState may revive it in place.
 * @throws StateCorruptionError
 */
export function restoreActor(definition: WorkflowDefinition, persisted: unknown): Actor<AnyStateMachine> {
  const shape = persistedShape.safeParse(persisted);
  if (!shape.success) throw corruption("unreadable", { workflowType: definition.type });
  if (definition.context && !definition.context.safeParse(shape.data.context).success)
    throw corruption("invalid-context", { workflowType: definition.type });
  let actor: Actor<AnyStateMachine>;
  try {
    // biome-ignore lint/suspicious/noExplicitAny: persisted JSON, shape-checked above and by XState's restore
    actor = createActor(definition.machine, { snapshot: persisted as any, input: undefined });
  } catch (error) {
    throw corruption("invalid-state", { workflowType: definition.type, cause: String(error) });
  }
  const snapshot = actor.getSnapshot() as AnySnapshot;
  if (snapshot.status === "error")
    throw corruption("invalid-state", { workflowType: definition.type, cause: String(snapshot.error) });
  const lost = Object.keys(shape.data.children).filter((id) => !(id in snapshot.children));
  if (lost.length > 0)
    throw corruption("invalid-state", { workflowType: definition.type, cause: `unknown actors ${lost}` });
  return actor;
}

/** The restored snapshot (see restoreActor). */
export function restoreSnapshot(definition: WorkflowDefinition, persisted: unknown): AnySnapshot {
  return restoreActor(definition, persisted).getSnapshot() as AnySnapshot;
}

/** The top-level state name of a snapshot ("MONITORING_TRAINING"). */
export function stateName(snapshot: AnySnapshot): string {
  const value = snapshot.value;
  return typeof value === "string" ? value : Object.keys(value)[0];
}

/** True when a snapshot (live or persisted) has running invoked actors, i.e. a live actor must host it. */
export function hasLiveWork(snapshot: unknown): boolean {
  const s = snapshot as { status?: string; children?: Record<string, unknown> };
  return s?.status === "active" && Object.keys(s.children ?? {}).length > 0;
}
