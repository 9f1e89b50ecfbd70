/**
 * Questions about a machine's graph rather than about one conversation: is there an edge from one state to
 * another (the seed's validateTransition), and which events does a state handle (for error details).
 */

import { createHash } from "node:crypto";
import type { AnyEventObject, AnyStateMachine, StateNode } from "xstate";
import { __unsafe_getAllOwnEventDescriptors as ownEventDescriptors } from "xstate";
import { InvalidTransitionError } from "../errors.js";
import { type AnySnapshot, stateName } from "./definitions.js";

// biome-ignore lint/suspicious/noExplicitAny: state nodes of any machine
type AnyStateNode = StateNode<any, any>;

/** A state by top-level name ("CONFIRMING_MODEL") or dotted path ("AWAITING_DATA.ingesting"). */
function findNode(machine: AnyStateMachine, path: string): AnyStateNode | undefined {
  let node: AnyStateNode | undefined;
  let states: Record<string, AnyStateNode> = machine.states;
  for (const part of path.split(".")) {
    node = states[part];
    if (!node) return undefined;
    states = node.states;
  }
  return node;
}

function isWithin(node: AnyStateNode, ancestor: AnyStateNode): boolean {
  for (let current: AnyStateNode | undefined = node; current; current = current.parent)
    if (current === ancestor) return true;
  return false;
}

function descendants(node: AnyStateNode): AnyStateNode[] {
  const children = Object.values(node.states) as AnyStateNode[];
  return children.flatMap((child) => [child, ...descendants(child)]);
}

function targetsOf(node: AnyStateNode): AnyStateNode[] {
  const all = [...node.transitions.values()].flat().concat(node.always ?? []);
  return all.flatMap((t) => (t.target ?? []) as AnyStateNode[]);
}

/**
 * True when some transition can take the machine from `from` to `to`: one declared on `from` itself, on a
 * state inside it (leaving it), or on an ancestor (like a root-level cancel). Guards are not evaluated: this
 * answers "is there an edge", not "is it allowed now".
 */
export function hasTransition(machine: AnyStateMachine, from: string, to: string): boolean {
  const source = findNode(machine, from);
  const target = findNode(machine, to);
  if (!source || !target) return false;
  // A top-level final state ends the machine: nothing, not even a root-level handler, leaves it.
  if (source.type === "final" && source.parent === machine.root) return false;
  const reaches = (t: AnyStateNode) => isWithin(t, target);
  for (let node: AnyStateNode | undefined = source; node; node = node.parent) {
    if (targetsOf(node).some(reaches)) return true;
  }
  // Inner states' transitions count when they leave `from` (an invoke inside a compound step finishing it).
  return descendants(source).some((inner) =>
    targetsOf(inner).some((t) => reaches(t) && !isWithin(t, source)),
  );
}

/** The event types the snapshot's current states have handlers for (guards not evaluated). */
export function handledEvents(snapshot: AnySnapshot): string[] {
  if (snapshot.status !== "active") return [];
  return ownEventDescriptors(snapshot).filter((type) => !type.startsWith("xstate.") && type !== "*");
}

/** The seed's 5001 error for an event the current state does not accept, with what it would accept. */
export function rejectedEvent(workflowType: string, snapshot: AnySnapshot, event: AnyEventObject) {
  const state = stateName(snapshot);
  return new InvalidTransitionError(`"${event.type}" is not possible in ${state}.`, {
    workflowType,
    state,
    event: event.type,
    handledEvents: handledEvents(snapshot),
  });
}

/**
 * The machine's shape as text, one line per state and per transition: ids, kinds, initial states, invoked
 * actors, and for each event its candidate transitions in order (guard and targets). Context and action
 * bodies are not part of it. A persisted snapshot names states and invoked actors, so a change here means a
 * snapshot written before it may not restore: the version must go up (see src/flows/versions.ts).
 */
export function machineShape(machine: AnyStateMachine): string[] {
  const lines: string[] = [];
  for (const node of [machine.root, ...descendants(machine.root)].sort(byId)) {
    const initial = node.initial?.target.map((t: AnyStateNode) => t.id).join(",") ?? "";
    const invoked = node.invoke.map((i) => (typeof i.src === "string" ? i.src : "inline")).join(",");
    lines.push(`${node.id} ${node.type} initial=${initial} invoke=${invoked}`);
    const byEvent = [...node.transitions.entries()].sort(([a], [b]) => a.localeCompare(b));
    for (const [event, candidates] of byEvent)
      lines.push(`  on ${event}: ${candidates.map(edge).join(" | ")}`);
    if (node.always) lines.push(`  always: ${node.always.map(edge).join(" | ")}`);
  }
  return lines;
}

/** The shape's SHA-256, hex: what src/flows/versions.ts records for each machine version. */
export function shapeHash(machine: AnyStateMachine): string {
  return createHash("sha256").update(machineShape(machine).join("\n")).digest("hex");
}

const byId = (a: AnyStateNode, b: AnyStateNode) => a.id.localeCompare(b.id);

function edge(t: { guard?: unknown; target?: readonly AnyStateNode[]; reenter?: boolean }): string {
  const targets = (t.target ?? []).map((n) => n.id).join(",") || "(stay)";
  return `[${guardName(t.guard)}] -> ${targets}${t.reenter ? " reenter" : ""}`;
}

function guardName(guard: unknown): string {
  if (guard === undefined) return "";
  if (typeof guard === "string") return guard;
  if (typeof guard === "function") return "inline";
  const g = guard as { type?: string; params?: unknown };
  return g.params === undefined ? String(g.type) : `${g.type}(${JSON.stringify(g.params)})`;
}
