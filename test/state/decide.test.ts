/**
 * The lean transition path (src/state/decide.ts) against XState's own functions: the same next snapshots
 * and byte-for-byte the same persisted JSON, for states with and without invoked children, and final ones.
 */
import { describe, expect, it } from "vitest";
import { type AnyEventObject, createActor, initialTransition, transition } from "xstate";
import { decide, persist } from "../../src/state/decide.js";
import type { AnySnapshot } from "../../src/state/definitions.js";
import { counterMachine, jobDefinition } from "../helpers/workflow-host-machines.js";
import { FakeJobBoard } from "../helpers/workflow-host-provider.js";

const input = { workflowId: "w1", startedAt: "2026-11-28T10:00:00.000Z" };
const job = jobDefinition(new FakeJobBoard().ports("test")).machine;

/** Restores the snapshot the way StateManager does, then decides `event` both ways. */
function bothWays(machine: typeof job, snapshot: AnySnapshot, event: AnyEventObject) {
  const persisted = JSON.parse(JSON.stringify(machine.getPersistedSnapshot(snapshot)));
  const actor = createActor(machine, { snapshot: persisted, input: undefined });
  const ours = decide(actor, actor.getSnapshot() as AnySnapshot, event);
  const [theirs] = transition(machine, actor.getSnapshot(), event);
  return { ours, theirs: theirs as AnySnapshot };
}

describe("decide and persist", () => {
  it.each([
    ["counter", counterMachine, [{ type: "inc" }, { type: "inc" }, { type: "finish" }]],
    ["job", job, [{ type: "user.launch" }, { type: "user.cancel" }]],
    ["job cancelled at once", job, [{ type: "user.cancel" }]],
  ] as const)("%s: same snapshots and the same stored JSON as XState", (_name, machine, events) => {
    let [snapshot] = initialTransition(machine as typeof job, input) as [AnySnapshot, unknown];
    const stored = (s: AnySnapshot) => JSON.stringify(persist(machine as typeof job, s));
    const reference = (s: AnySnapshot) => JSON.stringify((machine as typeof job).getPersistedSnapshot(s));
    expect(stored(snapshot)).toBe(reference(snapshot));
    for (const event of events) {
      const { ours, theirs } = bothWays(machine as typeof job, snapshot, event);
      expect(ours.value).toEqual(theirs.value);
      expect(ours.status).toBe(theirs.status);
      expect(ours.context).toEqual(theirs.context);
      expect(Object.keys(ours.children)).toEqual(Object.keys(theirs.children));
      expect(stored(ours)).toBe(reference(theirs));
      snapshot = ours;
    }
  });

  it("keeps invoked children in the stored form", () => {
    const [idle] = initialTransition(job, input);
    const { ours } = bothWays(job, idle as AnySnapshot, { type: "user.launch" });
    const stored = JSON.parse(JSON.stringify(persist(job, ours)));
    expect(Object.values(stored.children)).toEqual([
      expect.objectContaining({ src: "launchJob", snapshot: expect.objectContaining({ status: "active" }) }),
    ]);
  });
});
