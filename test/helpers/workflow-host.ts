/**
 * A process that hosts workflows, for crash-recovery and multi-process tests: it runs a StateManager and a
 * WorkflowRuntime over Redis with the test job machine, whose actors call the fake provider over HTTP.
 * Run with `node --import tsx test/helpers/workflow-host.ts`; driven by JSON lines on stdin
 * ({id, cmd: "begin"|"send"|"hosted"|"rounds"}), it answers with JSON lines on stdout and prints {ready} once
 * recovered. "rounds" answers once the runtime has finished two more rounds of lease renewal and scanning.
 */
import { createInterface } from "node:readline";
import { AppError } from "../../src/errors.js";
import { stateName } from "../../src/state/definitions.js";
import { RedisWorkflowStore } from "../../src/state/redis-store.js";
import { WorkflowRuntime } from "../../src/state/runtime.js";
import { StateManager } from "../../src/state/state-manager.js";
import { rounds } from "./runtime-rounds.js";
import { counterDefinition, jobDefinition } from "./workflow-host-machines.js";
import { httpJobPorts } from "./workflow-host-provider.js";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const owner = env("HOST_OWNER");
const leaseTtlMs = Number(env("HOST_LEASE_TTL_MS"));
const store = new RedisWorkflowStore(env("HOST_REDIS_URL"), env("HOST_PREFIX"));
const ports = httpJobPorts(env("HOST_PROVIDER_URL"), owner, Number(env("HOST_POLL_MS")));
const manager = new StateManager(store, [jobDefinition(ports), counterDefinition]);
const runtime = new WorkflowRuntime(manager, { owner, leaseTtlMs });

const print = (message: unknown): void => {
  process.stdout.write(`${JSON.stringify(message)}\n`);
};

async function handle(line: string): Promise<void> {
  const command = JSON.parse(line);
  try {
    if (command.cmd === "hosted") return print({ id: command.id, ok: true, hosted: runtime.hosted() });
    if (command.cmd === "rounds") {
      await rounds(runtime);
      return print({ id: command.id, ok: true });
    }
    const commit =
      command.cmd === "begin"
        ? await runtime.begin(command.key, command.type, command.input)
        : await runtime.send(command.key, command.event);
    print({ id: command.id, ok: true, state: stateName(commit.next), version: commit.version });
  } catch (error) {
    const code = error instanceof AppError ? error.code : 0;
    print({ id: command.id, ok: false, error: { name: (error as Error).name, code } });
  }
}

process.on("SIGTERM", () => {
  void runtime
    .stop()
    .then(() => store.close())
    .then(() => process.exit(0));
});

await runtime.start();
createInterface({ input: process.stdin }).on("line", (line) => void handle(line));
print({ ready: owner });
