/**
 * How src/state knows about machines without importing src/flows: each flow registers a definition with its
 * machine and a version. Snapshots are stored in a versioned envelope (STYLE R11) so that a snapshot written by
 * an older machine is migrated or closed with a message, never handed to createActor as an unknown shape.
 */
import { type AnyStateMachine, createActor, type MachineSnapshot } from "xstate";
import { StateCorruptionError } from "../errors.js";

// biome-ignore lint/suspicious/noExplicitAny: snapshots of every machine flow through this layer
export type AnySnapshot = MachineSnapshot<any, any, any, any, any, any, any, any>;

export interface WorkflowDefinition {
  /** e.g. "training", "prediction" */
  type: string;
  /** Bump whenever states or context change shape; older snapshots then go through `migrate`. */
  version: number;
  /** The machine with its ports provided. Pure transitions never start its actors; live actors do. */
  machine: AnyStateMachine;
  /** Turns an older persisted snapshot into the current shape, or returns undefined when it cannot. */
  migrate?: (fromVersion: number, persisted: unknown) => unknown | undefined;
}

export interface SnapshotEnvelope {
  machine: string;
  v: number;
  snapshot: unknown;
}

export function encodeEnvelope(definition: WorkflowDefinition, persisted: unknown): string {
  const envelope: SnapshotEnvelope = { machine: definition.type, v: definition.version, snapshot: persisted };
  return JSON.stringify(envelope);
}

/** Why a stored snapshot could not be used; the bot turns this into a message for the user. */
export type CorruptionReason = "unreadable" | "unknown-workflow" | "outdated" | "invalid-state";

export function corruption(
  reason: CorruptionReason,
  details: Record<string, unknown> = {},
): StateCorruptionError {
  const messages: Record<CorruptionReason, string> = {
    unreadable: "The saved session could not be read.",
    "unknown-workflow": "The saved session belongs to a workflow this version no longer has.",
    outdated: "The saved session was made by an older version of the bot and could not be carried over.",
    "invalid-state": "The saved session is in a step this version no longer has.",
  };
  return new StateCorruptionError(messages[reason], { reason, ...details });
}

/**
 * Decodes an envelope into the persisted snapshot for the current machine version.
 * @throws StateCorruptionError with details.reason
 */
export function decodeEnvelope(
  raw: string,
  definitions: ReadonlyMap<string, WorkflowDefinition>,
): { definition: WorkflowDefinition; persisted: unknown } {
  let envelope: SnapshotEnvelope;
  try {
    envelope = JSON.parse(raw) as SnapshotEnvelope;
  } catch {
    throw corruption("unreadable");
  }
  if (!envelope || typeof envelope !== "object" || typeof envelope.machine !== "string")
    throw corruption("unreadable");
  const definition = definitions.get(envelope.machine);
  if (!definition) throw corruption("unknown-workflow", { workflowType: envelope.machine });
  if (envelope.v === definition.version) return { definition, persisted: envelope.snapshot };
  const migrated =
    envelope.v < definition.version ? definition.migrate?.(envelope.v, envelope.snapshot) : undefined;
  if (migrated === undefined)
    throw corruption("outdated", { workflowType: envelope.machine, from: envelope.v });
  return { definition, persisted: migrated };
}

/**
 * Restores a persisted snapshot without starting anything. XState reports an unknown state as an error
 * snapshot (and would rethrow it asynchronously from a started actor), so it is checked here.
 */
export function restoreSnapshot(definition: WorkflowDefinition, persisted: unknown): AnySnapshot {
  let snapshot: AnySnapshot;
  try {
    snapshot = createActor(definition.machine, {
      // biome-ignore lint/suspicious/noExplicitAny: persisted JSON is validated by XState's restore
      snapshot: persisted as any,
      input: undefined,
    }).getSnapshot();
  } catch (error) {
    throw corruption("invalid-state", { cause: String(error) });
  }
  if (snapshot.status === "error") throw corruption("invalid-state", { cause: String(snapshot.error) });
  return snapshot;
}

/** The top-level state name of a snapshot ("MONITORING_TRAINING"). */
export function stateName(snapshot: AnySnapshot): string {
  const value = snapshot.value;
  return typeof value === "string" ? value : Object.keys(value)[0];
}

/** True when the snapshot has running invoked actors, i.e. a live actor must host it. */
export function hasLiveWork(persisted: unknown): boolean {
  const p = persisted as { status?: string; children?: Record<string, unknown> };
  return p?.status === "active" && Object.keys(p.children ?? {}).length > 0;
}
