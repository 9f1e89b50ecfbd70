/** Builds StateManager + WorkflowRuntime pairs over a store, with the test job machine on a fake board. */
import type { WorkflowDefinition } from "../../src/state/definitions.js";
import { type RuntimeOptions, WorkflowRuntime } from "../../src/state/runtime.js";
import { StateManager } from "../../src/state/state-manager.js";
import type { ConversationKey, WorkflowStore } from "../../src/state/store.js";
import { counterDefinition, jobDefinition } from "../helpers/workflow-host-machines.js";
import type { FakeJobBoard } from "../helpers/workflow-host-provider.js";
import { eventually } from "./backends.js";

export { rounds } from "../helpers/runtime-rounds.js";

export const LEASE_TTL_MS = 600;

export interface Host {
  owner: string;
  manager: StateManager;
  runtime: WorkflowRuntime;
}

export class Harness {
  private readonly hosts: Host[] = [];

  constructor(private readonly board: FakeJobBoard) {}

  /** A "process": its own manager and runtime; `definitions` replaces the job machine when given. */
  host(
    store: WorkflowStore,
    owner: string,
    options: RuntimeOptions & { definitions?: WorkflowDefinition[]; pollMs?: number } = {},
  ): Host {
    const definitions = options.definitions ?? [
      jobDefinition(this.board.ports(owner, options.pollMs ?? 20)),
      counterDefinition,
    ];
    const manager = new StateManager(store, definitions);
    const runtime = new WorkflowRuntime(manager, { owner, leaseTtlMs: LEASE_TTL_MS, ...options });
    const host = { owner, manager, runtime };
    this.hosts.push(host);
    return host;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.hosts.map((h) => h.runtime.stop()));
  }
}

export async function stateOf(manager: StateManager, key: ConversationKey): Promise<string | undefined> {
  return (await manager.getState(key.userId, key.chatId))?.state;
}

export async function waitForState(
  manager: StateManager,
  key: ConversationKey,
  state: string,
): Promise<void> {
  await eventually(async () => (await stateOf(manager, key)) === state, `state ${state}`);
}

export const jobInput = (workflowId: string) => ({ workflowId, startedAt: new Date().toISOString() });
