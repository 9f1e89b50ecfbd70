/**
 * The hot path of a transition, kept lean (bench/state/transitions.ts measures it):
 * - `decide` is XState's `transition()` without its per-call throwaway actor: that helper builds a fresh
 *   actor (computing the machine's whole initial snapshot, context factory included) only to use it as the
 *   parent of any child refs. We already hold an unstarted actor restored from the snapshot, so it serves as
 *   that parent. Nothing is started or executed: actions go to a no-op executor, as in `transition()`.
 * - `persist` is XState's `getPersistedSnapshot` without its recursive walk of the context when there is
 *   nothing to convert (test/state/decide.test.ts checks both give the same JSON).
 */
import {
  type Actor,
  type AnyActorScope,
  type AnyEventObject,
  type AnyStateMachine,
  transition as pureTransition,
} from "xstate";
import type { AnySnapshot } from "./definitions.js";

/** The next snapshot of `actor`'s (unstarted, restored) snapshot for `event`. */
export function decide(
  actor: Actor<AnyStateMachine>,
  snapshot: AnySnapshot,
  event: AnyEventObject,
): AnySnapshot {
  const scope: AnyActorScope = {
    self: actor,
    id: "",
    sessionId: "",
    logger: () => undefined,
    defer: () => undefined,
    emit: () => undefined,
    system: actor.system,
    stopChild: () => undefined,
    actionExecutor: () => undefined,
  };
  try {
    return actor.logic.transition(snapshot, event, scope) as AnySnapshot;
  } catch {
    // A reused actor's system may already hold a child's systemId: decide again in a fresh scope. An error
    // from the machine itself (a guard or an assign) is thrown again from there.
    return pureTransition(actor.logic, snapshot, event)[0] as AnySnapshot;
  }
}

/**
 * The persisted form of a snapshot, for JSON.stringify. Without children or history there is nothing to
 * convert, and actor refs in context (never expected: context is JSON) serialize the same way via toJSON.
 */
export function persist(machine: AnyStateMachine, snapshot: AnySnapshot): unknown {
  const { status, output, error, value, historyValue, context, children } = snapshot;
  if (Object.keys(children).length > 0 || Object.keys(historyValue ?? {}).length > 0)
    return machine.getPersistedSnapshot(snapshot);
  return { status, output, error, value, historyValue: {}, context, children: {} };
}
