/**
 * A watched pool of worker threads for synchronous fits. This thread hands each worker a task (a few int32
 * arguments in shared memory) and blocks with Atomics.wait until the worker is done, so a fit stays
 * synchronous and needs no message passing per task.
 *
 * The protocol has two rules that matter: a waiter only ever sleeps on the exact value it has just read
 * and found wanting, and a wake-up is only work when that value has changed (Atomics.wait also returns
 * without a notify now and then; the old worker then ran its last task a second time). (The old histogram pool read the "done" word twice, once to test and once to sleep on;
 * a worker finishing between the two reads left this thread asleep on the new value forever, with every
 * worker asleep too: the deadlock of `threads: 2`.)
 *
 * The workers live as long as the process (unref'd, asleep between fits): a fit leases a crew of them
 * (`leaseCrew`), hands them its task and data over a MessagePort that the workers read synchronously when
 * woken, and releases them at the end, so a small fit pays no thread start-up.
 *
 * The watchdog: while this thread waits, it wakes every WAKE_MS and checks the worker's heartbeat (bumped
 * at every task and by long tasks as they go). A worker with no beat for `watchdogSeconds` fails the fit with
 * a ThreadStallError instead of hanging, and a task that throws fails it with the worker's message.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from "node:worker_threads";
import { taskBundle } from "./task-bundle.js";

/** Control words per worker. */
const GEN = 0; // bumped by this thread: a new task (or stop)
const DONE = 1; // set by the worker to the generation it finished
const STOP = 2;
const BEAT = 3; // bumped by the worker as it makes progress
const FAILED = 4; // byte length of the worker's error message, 0 = none
const SERVING = 5; // set by the worker once it has started and waits for tasks
const OFFER = 6; // the generation offered and not yet begun: the worker takes it to 0, or this thread withdraws it
const ARGS = 8;
const CONTROL_WORDS = ARGS + 8;
const MESSAGE_BYTES = 2048;
/** How often a waiting thread looks at the heartbeat. */
const WAKE_MS = 200;
/**
 * How long a waiting thread keeps loading its word before it sleeps (Atomics.wait), on both sides: a worker
 * between tasks, this thread while a worker finishes. A sleeper's wake-up cost 65–110 µs on the 2-core VM
 * (2026-12-07, a ping-pong of two threads: 4096 loads, about 20 µs, then sleep), against 0.2–1.2 µs for a
 * spinner; a GBDT fit wakes its worker several times a level with 20–300 µs of this thread's bookkeeping
 * between, so 4096 loads made most wake-ups a sleeper's: 14 a tree at 160k × 2, 2–3 ms of a 5 ms tree.
 * But on a loaded machine the thread waited for is often descheduled, and a spinner only takes the core
 * from it (a 1 ms spin made that fit 3–5× slower at load 7 on 2 cores). So the spin adapts, as adaptive
 * mutexes do: each waiter spins up to its budget, which doubles (to SPIN_MAX_MS) when the word changed
 * within it and halves (to SPIN_MIN_MS, the old 4096 loads) when it had to sleep.
 */
export const SPIN_MAX_MS = 1;
export const SPIN_MIN_MS = 0.02;
/** Loads between two looks at the clock while spinning (a load is about 5 ns, the clock about 50). */
const SPIN_CHECK = 256;

/** Seconds without progress before a worker is declared stuck (SMA_THREAD_WATCHDOG_S overrides). */
export const DEFAULT_WATCHDOG_SECONDS = 60;

export class ThreadStallError extends Error {
  constructor(worker: number, seconds: number) {
    super(
      `Worker thread ${worker} made no progress for ${seconds} s, so the fit was stopped instead of hanging. ` +
        "Try again with threads: 1, and report it if it happens again.",
    );
    this.name = "ThreadStallError";
  }
}

/** A task: the source of a function expression, or a task a module registers (registerPoolTask). */
export type CrewTask = string | { module: string; name: string };
type TaskFn = (data: never, args: Int32Array, beat: () => void, send: (value: unknown) => void) => void;

const TASKS = Symbol.for("sma.poolTasks");

/** Makes a task of this module available to pool workers that load it (see CrewTask). */
export function registerPoolTask(name: string, fn: TaskFn): void {
  const g = globalThis as unknown as Record<symbol, Map<string, TaskFn>>;
  g[TASKS] ??= new Map();
  g[TASKS].set(name, fn as TaskFn);
}

/**
 * The worker's side. A crew sends { body, data }: body is the source of a function expression, or
 * "task:<name>" for a task registered by the module the worker loaded at start (under tsx when it is
 * TypeScript; in a bundle, the bundle itself). A task runs as `(data, args, beat, send)`: data (typed arrays
 * over shared memory, numbers, WebAssembly modules), the task's Int32Array arguments, beat (call it now and
 * then in long tasks) and send (a result for the crew's `receive`). Plain JavaScript (eval: true).
 */
const WORKER_SOURCE = `
const { workerData, receiveMessageOnPort } = require("node:worker_threads");
const { control, message, port, preload } = workerData;
const args = control.subarray(${ARGS});
const beat = () => Atomics.add(control, ${BEAT}, 1);
const send = (value) => port.postMessage(value);
const compiled = new Map();
function resolve(body) {
  if (body.startsWith("task:")) {
    const fn = (globalThis[Symbol.for("sma.poolTasks")] || new Map()).get(body.slice(5));
    if (!fn) throw new Error("no pool task " + body);
    return fn;
  }
  if (!compiled.has(body)) compiled.set(body, (0, eval)("(" + body + ")"));
  return compiled.get(body);
}
// The word's value once it differs from value, or value itself after the spin budget (see SPIN_MAX_MS).
let budget = ${SPIN_MIN_MS};
function spin(word, value) {
  const until = performance.now() + budget;
  let now = Atomics.load(control, word);
  for (let s = 1; now === value; s++) {
    if (s % ${SPIN_CHECK} === 0 && performance.now() > until) break;
    now = Atomics.load(control, word);
  }
  // As nextSpin.
  budget = now === value ? Math.max(${SPIN_MIN_MS}, budget / 2) : Math.min(${SPIN_MAX_MS}, budget * 2);
  return now;
}
function serve() {
  let task = null;
  let data = null;
  let seen = 0;
  for (;;) {
    let gen = spin(${GEN}, seen);
    // Atomics.wait may also return without a new task (seen under load): only a new generation is work.
    while (gen === seen) {
      Atomics.wait(control, ${GEN}, seen);
      gen = Atomics.load(control, ${GEN});
    }
    seen = gen;
    if (Atomics.load(control, ${STOP}) === 1) break;
    beat();
    // Withdrawn (Crew.withdraw): the crew's thread took every unit before this one woke; not work.
    if (Atomics.compareExchange(control, ${OFFER}, gen, 0) !== gen) continue;
    try {
      for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
        data = m.message.data;
        task = m.message.body ? resolve(m.message.body) : null;
      }
      if (task) task(data, args, beat, send);
    } catch (error) {
      const bytes = new TextEncoder().encode(String((error && error.stack) || error)).subarray(0, ${MESSAGE_BYTES});
      message.set(bytes);
      Atomics.store(control, ${FAILED}, bytes.length);
    }
    Atomics.store(control, ${DONE}, seen);
    Atomics.notify(control, ${DONE});
  }
}
(async () => {
  if (preload) {
    if (preload.tsx) (await import(preload.tsx)).register();
    await import(preload.module);
  }
  Atomics.store(control, ${SERVING}, 1);
  serve();
})().catch((error) => {
  const bytes = new TextEncoder().encode("start-up failed: " + String((error && error.stack) || error)).subarray(0, ${MESSAGE_BYTES});
  message.set(bytes);
  Atomics.store(control, ${FAILED}, bytes.length);
  Atomics.store(control, ${DONE}, Atomics.load(control, ${GEN}));
  Atomics.notify(control, ${DONE});
});
`;

interface Helper {
  worker: Worker;
  port: MessagePort;
  control: Int32Array;
  message: Uint8Array;
  /** The generation of the task it was last given. */
  gen: number;
  /** How long this thread spins waiting for it (see SPIN_MAX_MS). */
  spinMs: number;
}

export interface PoolOptions {
  /** Seconds without progress before a worker is declared stuck (default DEFAULT_WATCHDOG_SECONDS). */
  watchdogSeconds?: number;
}

/** The watchdog's limit: the option, else SMA_THREAD_WATCHDOG_S, else the default. */
function watchdogSeconds(options: PoolOptions): number {
  if (options.watchdogSeconds !== undefined) return options.watchdogSeconds;
  const fromEnv = Number(process.env.SMA_THREAD_WATCHDOG_S);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_WATCHDOG_SECONDS;
}

/** What a worker loads at start: nothing (function sources), or the module that registers its task. */
interface Preload {
  module: string;
  tsx?: string;
}

function preloadOf(task: CrewTask): Preload | null {
  if (typeof task === "string") return null;
  if (!task.module.endsWith(".ts")) return { module: task.module };
  // A bundle starts in milliseconds; tsx transpiles the module's whole graph in every worker first.
  const bundle = taskBundle(task.module);
  return bundle ? { module: bundle } : { module: task.module, tsx: tsxApi() };
}

/** tsx's ESM API (its `register` lets a worker load TypeScript), as fit-thread.ts loads it. */
function tsxApi(): string {
  const resolve = (import.meta as { resolve?: (specifier: string) => string }).resolve;
  if (resolve) return resolve("tsx/esm/api");
  const pkg = createRequire(import.meta.url).resolve("tsx/package.json");
  return pathToFileURL(join(dirname(pkg), "dist/esm/api/index.mjs")).href;
}

function startHelper(preload: Preload | null): Helper {
  const control = new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
  const message = new Uint8Array(new SharedArrayBuffer(MESSAGE_BYTES));
  const { port1, port2 } = new MessageChannel();
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { control, message, port: port2, preload },
    transferList: [port2],
  });
  // A worker that dies is caught by the watchdog; its error event must not crash the process meanwhile.
  worker.on("error", () => {});
  worker.unref();
  port1.unref();
  return { worker, port: port1, control, message, gen: 0, spinMs: SPIN_MIN_MS };
}

/** The process's idle workers by what they preload ("" = nothing); a failure drops them all. */
const idle = new Map<string, Helper[]>();
let leased = false;

/**
 * A crew of `size` workers running `task` over their data (dataOf(k) for worker k) until `close`. Uses the
 * process's idle workers; a second lease while one is held (not done by synchronous fits) gets its own.
 */
export function leaseCrew(
  size: number,
  task: CrewTask,
  dataOf: (k: number) => unknown,
  options: PoolOptions = {},
): Crew {
  const preload = preloadOf(task);
  const own = leased;
  let helpers: Helper[];
  if (own) helpers = Array.from({ length: size }, () => startHelper(preload));
  else {
    helpers = idleHelpers(size, preload).slice(0, size);
    leased = true;
  }
  const body = typeof task === "string" ? task : `task:${task.name}`;
  return new Crew(helpers, body, dataOf, watchdogSeconds(options) * 1000, own);
}

/**
 * Starts the process's idle workers for `task` ahead of a fit that will lease `size` of them, so that they
 * load their module (and compile it) while this thread still prepares the data, not during the fit. Does
 * nothing while a crew is leased, or when that many are already started.
 */
export function warmCrew(size: number, task: CrewTask): void {
  if (!leased && size >= 1) idleHelpers(size, preloadOf(task));
}

/** How many idle workers the process keeps started for `task` (see warmCrew). */
export function idleWorkers(task: CrewTask): number {
  return idle.get(idleKey(preloadOf(task)))?.length ?? 0;
}

/** The process's idle workers with this preload, at least `size` of them (started as needed). */
function idleHelpers(size: number, preload: Preload | null): Helper[] {
  const key = idleKey(preload);
  const kept = idle.get(key) ?? [];
  while (kept.length < size) kept.push(startHelper(preload));
  idle.set(key, kept);
  return kept;
}

function idleKey(preload: Preload | null): string {
  return preload?.module ?? "";
}

export class Crew {
  private closed = false;

  constructor(
    private readonly helpers: Helper[],
    body: string,
    dataOf: (k: number) => unknown,
    private readonly watchdogMs: number,
    /** Its own workers (terminated at close) rather than the process's. */
    private readonly own: boolean,
  ) {
    helpers.forEach((h, k) => {
      h.port.postMessage({ body, data: dataOf(k) });
    });
  }

  get size(): number {
    return this.helpers.length;
  }

  /** Gives worker k a task with these int32 arguments (at most 8); it starts at once. */
  start(k: number, args: ArrayLike<number>): void {
    const h = this.helpers[k];
    h.control.set(args, ARGS);
    Atomics.store(h.control, OFFER, h.gen + 1);
    h.gen = Atomics.add(h.control, GEN, 1) + 1;
    Atomics.notify(h.control, GEN);
  }

  /** Blocks until worker k has finished its task; throws its error, or ThreadStallError from the watchdog. */
  wait(k: number): void {
    const h = this.helpers[k];
    const c = h.control;
    let done = spinFor(h);
    let beat = Atomics.load(c, BEAT);
    let since = Date.now();
    while (done !== h.gen) {
      // Sleep only on the value just read: if the worker stores its generation first, this returns at once.
      Atomics.wait(c, DONE, done, WAKE_MS);
      done = Atomics.load(c, DONE);
      const now = Atomics.load(c, BEAT);
      if (now !== beat) {
        beat = now;
        since = Date.now();
      } else if (done !== h.gen && Date.now() - since >= this.watchdogMs) {
        this.fail();
        throw new ThreadStallError(k + 1, this.watchdogMs / 1000);
      }
    }
    const failed = Atomics.exchange(c, FAILED, 0);
    if (failed > 0) {
      const text = new TextDecoder().decode(h.message.slice(0, failed));
      this.fail();
      throw new Error(`Worker thread ${k + 1} failed: ${text}`);
    }
  }

  /**
   * Whether worker k has started and waits for tasks. A task whose units any thread takes from a shared
   * counter can leave out a worker that has not: this thread takes its units instead of waiting for it to
   * start (50–220 ms after warmCrew on the loaded 2-core VM, while a GBDT's bin mapper took 80–200 ms).
   */
  serving(k: number): boolean {
    return Atomics.load(this.helpers[k].control, SERVING) === 1;
  }

  /** How long this thread now spins waiting for worker k, in ms (see SPIN_MAX_MS). */
  spinMs(k: number): number {
    return this.helpers[k].spinMs;
  }

  /** The next result worker k sent during its tasks (in order), or undefined. */
  receive(k: number): unknown {
    return receiveMessageOnPort(this.helpers[k].port)?.message;
  }

  /**
   * Takes back worker k's task if the worker has not begun it (it then never runs it); false once it has.
   * Only for a task whose units the threads take from a shared counter: one that this thread ran out of
   * units leaves nothing for a worker that wakes later.
   */
  withdraw(k: number): boolean {
    const h = this.helpers[k];
    return Atomics.compareExchange(h.control, OFFER, h.gen, 0) === h.gen;
  }

  /**
   * Runs one task per worker (worker k's args from argsOf; null = none) while `here` runs on this thread.
   * `shared`: the task's units are taken from a shared counter, so a worker that has not begun its task when
   * `here` returns is withdrawn rather than waited for (its wake-up is 65–110 µs on a quiet 2-core VM, far
   * more on a loaded one; SPIN_MAX_MS).
   */
  runAll(argsOf: (k: number) => ArrayLike<number> | null, here: () => void, shared = false): void {
    const started: number[] = [];
    for (let k = 0; k < this.helpers.length; k++) {
      const args = argsOf(k);
      if (!args) continue;
      this.start(k, args);
      started.push(k);
    }
    try {
      here();
    } finally {
      // Even when this thread's part threw, the workers must be idle before their memory is reused.
      for (const k of started) if (!this.closed && !(shared && this.withdraw(k))) this.wait(k);
    }
  }

  /** Ends the lease: the workers drop the crew's data and go back to sleep. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.own) {
      for (const h of this.helpers) stopHelper(h);
      return;
    }
    // A worker that has not started yet ran no task of the lease (runAll waits for those it starts): it
    // reads this message with the next lease's, and is not waited for.
    const serving = this.helpers.map((_, k) => this.serving(k));
    this.helpers.forEach((h, k) => {
      while (receiveMessageOnPort(h.port));
      h.port.postMessage({ body: null, data: null });
      if (serving[k]) this.start(k, []);
    });
    try {
      for (let k = 0; k < this.helpers.length; k++) if (serving[k]) this.wait(k);
    } finally {
      leased = false;
    }
  }

  /** A stuck or failed worker: every worker of the crew is stopped, and the process's pool starts afresh. */
  private fail(): void {
    this.closed = true;
    for (const h of this.helpers) stopHelper(h);
    if (!this.own) {
      for (const kept of idle.values()) for (const h of kept) stopHelper(h);
      idle.clear();
      leased = false;
    }
  }
}

/**
 * The done word of h once it is h.gen, or its value after h's spin budget, which then adapts (SPIN_MAX_MS).
 */
function spinFor(h: Helper): number {
  const until = performance.now() + h.spinMs;
  let now = Atomics.load(h.control, DONE);
  for (let s = 1; now !== h.gen; s++) {
    if (s % SPIN_CHECK === 0 && performance.now() > until) break;
    now = Atomics.load(h.control, DONE);
  }
  h.spinMs = nextSpin(h.spinMs, now === h.gen);
  return now;
}

/** A waiter's next spin budget: doubled when the word changed within this one, else halved (SPIN_MAX_MS). */
export function nextSpin(ms: number, changed: boolean): number {
  return changed ? Math.min(SPIN_MAX_MS, 2 * ms) : Math.max(SPIN_MIN_MS, ms / 2);
}

function stopHelper(h: Helper): void {
  if (Atomics.load(h.control, STOP) === 1) return;
  Atomics.store(h.control, STOP, 1);
  Atomics.add(h.control, GEN, 1);
  Atomics.notify(h.control, GEN);
  h.port.close();
  void h.worker.terminate();
}
