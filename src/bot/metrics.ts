/**
 * Prometheus metrics, hand-written (text exposition format 0.0.4,
 * https://prometheus.io/docs/instrumenting/exposition_formats/): counters and gauges with labels, and the
 * bot's own set. Label values come from a small, fixed vocabulary (update types, method names, state names,
 * error codes), never from user input, so series stay few.
 */
import type { WorkflowStore } from "../state/store.js";

export type Labels = Record<string, string>;

interface Sample {
  labels: Labels;
  value: number;
  /** A histogram's series: `_bucket`, `_sum`, `_count`. */
  suffix?: string;
}

/** One named metric family. */
interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge" | "histogram";
  samples(): Sample[] | Promise<Sample[]>;
}

/** A monotonically increasing count, per label set. */
export class Counter implements Family {
  readonly type = "counter";
  private readonly values = new Map<string, Sample>();

  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    const sample = this.values.get(key);
    if (sample) sample.value += by;
    else this.values.set(key, { labels: { ...labels }, value: by });
  }

  /** The current value for exactly these labels (0 if never counted). */
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels))?.value ?? 0;
  }

  /** The sum over every label set. */
  total(): number {
    let sum = 0;
    for (const sample of this.values.values()) sum += sample.value;
    return sum;
  }

  samples(): Sample[] {
    return [...this.values.values()];
  }
}

/** A value read when scraped. */
export class Gauge implements Family {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly collect: () => Sample[] | Promise<Sample[]>,
    /** What the collected values are: a gauge, or a counter or histogram kept elsewhere (Redis). */
    readonly type: Family["type"] = "gauge",
  ) {}

  samples(): Sample[] | Promise<Sample[]> {
    return this.collect();
  }
}

export class MetricsRegistry {
  private readonly families: Family[] = [];

  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }

  gauge(name: string, help: string, collect: () => Sample[] | Promise<Sample[]>): Gauge {
    return this.add(new Gauge(name, help, collect));
  }

  /** A counter or histogram whose values are read when scraped (kept in Redis for a whole fleet). */
  collected(
    name: string,
    help: string,
    type: "counter" | "histogram",
    collect: () => Sample[] | Promise<Sample[]>,
  ): Gauge {
    return this.add(new Gauge(name, help, collect, type));
  }

  /** The text a Prometheus server scrapes. A gauge whose collection fails is left out, not the whole page. */
  async expose(): Promise<string> {
    const lines: string[] = [];
    for (const family of this.families) {
      let samples: Sample[];
      try {
        samples = await family.samples();
      } catch {
        continue;
      }
      lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`);
      for (const sample of samples)
        lines.push(`${family.name}${sample.suffix ?? ""}${formatLabels(sample.labels)} ${num(sample.value)}`);
    }
    return `${lines.join("\n")}\n`;
  }

  private add<F extends Family>(family: F): F {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(family.name))
      throw new RangeError(`bad metric name ${family.name}`);
    if (this.families.some((f) => f.name === family.name))
      throw new RangeError(`metric ${family.name} exists`);
    this.families.push(family);
    return family;
  }
}

export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

function labelKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

function num(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

/** The bot's metrics. One set per app instance (tests run several apps in one process). */
export interface BotMetrics {
  registry: MetricsRegistry;
  /** Updates received, by type (message, callback_query …). */
  updates: Counter;
  /** Updates dropped before any feature saw them, by reason (group chatter, not allowed, rate limited). */
  droppedUpdates: Counter;
  /** Workflow commits, by workflow type and top-level state. */
  commits: Counter;
  /** Errors that reached the error boundary, by code (ours) or "internal". */
  errors: Counter;
  /** Bot API calls, by method and outcome ("ok", the error code, or "network"); every retry counts. */
  apiCalls: Counter;
  /** Bot API answers 429 (flood control), by method. */
  apiRateLimited: Counter;
}

export function createBotMetrics(): BotMetrics {
  const registry = new MetricsRegistry();
  const startedAt = Date.now();
  const metrics: BotMetrics = {
    registry,
    updates: registry.counter("sma_telegram_updates_total", "Telegram updates received, by type."),
    droppedUpdates: registry.counter(
      "sma_telegram_updates_dropped_total",
      "Updates ignored before the features, by reason.",
    ),
    commits: registry.counter("sma_workflow_commits_total", "Workflow commits, by workflow type and state."),
    errors: registry.counter("sma_errors_total", "Errors caught by the error boundary, by error code."),
    apiCalls: registry.counter(
      "sma_telegram_api_calls_total",
      "Telegram Bot API calls, by method and outcome (ok, error code, or network).",
    ),
    apiRateLimited: registry.counter(
      "sma_telegram_api_429_total",
      "Telegram Bot API calls answered 429 Too Many Requests, by method.",
    ),
  };
  registry.gauge("sma_process_uptime_seconds", "Seconds since the bot process started its metrics.", () => [
    { labels: {}, value: Math.round((Date.now() - startedAt) / 1000) },
  ]);
  registry.gauge("sma_process_resident_memory_bytes", "Resident set size of the bot process.", () => [
    { labels: {}, value: process.memoryUsage.rss() },
  ]);
  return metrics;
}

/** Jobs are workflows in a state with long work (the store's live index). Read at most this many per scrape. */
const MAX_JOBS_READ = 1000;
const JOBS_CACHE_MS = 5000;

/**
 * Adds `sma_jobs{workflow,state}`: running jobs by workflow type and state, from the store's index of live
 * workflows. Cached briefly so frequent scrapes don't turn into a read per job each time.
 */
export function registerJobsGauge(registry: MetricsRegistry, store: WorkflowStore): void {
  let cached: { at: number; samples: Promise<Sample[]> } | undefined;
  registry.gauge("sma_jobs", "Running jobs (workflows with long work), by workflow type and state.", () => {
    if (!cached || Date.now() - cached.at > JOBS_CACHE_MS) {
      cached = { at: Date.now(), samples: countJobs(store) };
      cached.samples.catch(() => {
        cached = undefined;
      });
    }
    return cached.samples;
  });
}

async function countJobs(store: WorkflowStore): Promise<Sample[]> {
  const keys = (await store.listLive()).slice(0, MAX_JOBS_READ);
  const records = await Promise.all(keys.map((key) => store.read(key)));
  const counts = new Counter("jobs", "");
  for (const record of records) {
    if (record) counts.inc({ workflow: record.workflowType, state: record.state.split(".")[0] });
  }
  return counts.samples();
}

/** What the job queues report (src/cloud/fleet/queue.ts), per queue. */
export interface QueueMetricsSource {
  queueMetrics(): Promise<
    {
      queue: string;
      counts: Record<"waiting" | "active" | "delayed" | "completed" | "failed", number>;
      stalled: number;
      /** Job durations: cumulative counts per upper bound (seconds), their sum and count. */
      durations: { buckets: { le: number; count: number }[]; sum: number; count: number };
    }[]
  >;
}

/**
 * Adds the fleet's queue metrics, read from Redis at each scrape (so every replica reports the whole fleet):
 * `sma_queue_jobs{queue,state}`, `sma_queue_stalled_total{queue}` and the `sma_queue_job_duration_seconds`
 * histogram.
 */
export function registerQueueMetrics(registry: MetricsRegistry, source: QueueMetricsSource): void {
  let cached: { at: number; data: ReturnType<QueueMetricsSource["queueMetrics"]> } | undefined;
  const read = () => {
    if (!cached || Date.now() - cached.at > 1000) cached = { at: Date.now(), data: source.queueMetrics() };
    return cached.data;
  };
  registry.gauge("sma_queue_jobs", "Jobs in each fleet queue, by state.", async () =>
    (await read()).flatMap((q) =>
      Object.entries(q.counts).map(([state, value]) => ({ labels: { queue: q.queue, state }, value })),
    ),
  );
  registry.collected(
    "sma_queue_stalled_total",
    "Jobs found stalled (their worker died) and requeued.",
    "counter",
    async () => (await read()).map((q) => ({ labels: { queue: q.queue }, value: q.stalled })),
  );
  registry.collected(
    "sma_queue_job_duration_seconds",
    "How long fleet jobs ran, per queue.",
    "histogram",
    async () =>
      (await read()).flatMap((q) => [
        ...q.durations.buckets.map((b) => ({
          suffix: "_bucket",
          labels: { queue: q.queue, le: String(b.le) },
          value: b.count,
        })),
        { suffix: "_bucket", labels: { queue: q.queue, le: "+Inf" }, value: q.durations.count },
        { suffix: "_sum", labels: { queue: q.queue }, value: q.durations.sum },
        { suffix: "_count", labels: { queue: q.queue }, value: q.durations.count },
      ]),
  );
}
