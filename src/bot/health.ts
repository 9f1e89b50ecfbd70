/**
 * What /healthz reports: the state store answers a ping (bounded by a short timeout), and the last known
 * health of each configured provider. Provider probes are slow by nature (network calls with retries), so
 * they run in the background and the endpoint only reads their cached result: a health check never waits
 * for a cloud API.
 */
import type { CloudProviderFactory } from "../cloud/provider-factory.js";
import type { WorkflowStore } from "../state/store.js";

/** One provider's health (the seed's check_provider_health result). */
export interface ProviderHealth {
  healthy: boolean;
  errors: string[];
}

export type ProviderHealthSource = () => Promise<Record<string, ProviderHealth>>;

export interface HealthStatus {
  /** "down" when the store does not answer (the bot cannot work); "degraded" when a provider is unhealthy. */
  status: "ok" | "degraded" | "down";
  store: { ok: boolean; latencyMs: number };
  /** Undefined until the first background probe has finished. */
  providers?: Record<string, ProviderHealth>;
  providersCheckedAt?: string;
}

export interface HealthCheckerOptions {
  store: Pick<WorkflowStore, "ping">;
  providers?: ProviderHealthSource;
  /** A store that takes longer than this to answer a ping counts as down (default 1 s). */
  pingTimeoutMs?: number;
  /** Provider results older than this trigger a background refresh (default 30 s). */
  providerRefreshMs?: number;
}

const DEFAULT_PING_TIMEOUT_MS = 1000;
const DEFAULT_PROVIDER_REFRESH_MS = 30_000;

export class HealthChecker {
  private pinging: Promise<HealthStatus["store"]> | undefined;
  private providerResult: { at: number; reports: Record<string, ProviderHealth> } | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(private readonly options: HealthCheckerOptions) {}

  async check(): Promise<HealthStatus> {
    this.refreshProvidersIfStale();
    const store = await this.pingStore();
    const reports = this.providerResult?.reports;
    const providersOk = !reports || Object.values(reports).every((r) => r.healthy);
    return {
      status: !store.ok ? "down" : providersOk ? "ok" : "degraded",
      store,
      providers: reports,
      providersCheckedAt: this.providerResult && new Date(this.providerResult.at).toISOString(),
    };
  }

  /** Resolves when the provider probe started by an earlier check (if any) has finished. */
  async settled(): Promise<void> {
    await this.refreshing;
  }

  /** Concurrent health checks share one ping. */
  private pingStore(): Promise<HealthStatus["store"]> {
    this.pinging ??= this.timedPing().finally(() => {
      this.pinging = undefined;
    });
    return this.pinging;
  }

  private async timedPing(): Promise<HealthStatus["store"]> {
    const started = Date.now();
    const timeoutMs = this.options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      const ok = await Promise.race([this.options.store.ping().catch(() => false), expired]);
      return { ok, latencyMs: Date.now() - started };
    } finally {
      clearTimeout(timer);
    }
  }

  private refreshProvidersIfStale(): void {
    const source = this.options.providers;
    if (!source || this.refreshing) return;
    const maxAgeMs = this.options.providerRefreshMs ?? DEFAULT_PROVIDER_REFRESH_MS;
    if (this.providerResult && Date.now() - this.providerResult.at < maxAgeMs) return;
    this.refreshing = source()
      .then(
        (reports) => reports,
        (error: unknown) => ({ providers: { healthy: false, errors: [String(error).slice(0, 200)] } }),
      )
      .then((reports) => {
        this.providerResult = { at: Date.now(), reports };
      })
      .finally(() => {
        this.refreshing = undefined;
      });
  }
}

/**
 * Health of every provider the environment configures (local always), through the cloud layer's one provider
 * factory (src/cloud/provider-factory.ts, built by src/compute.ts): /healthz, the fallback RunPod > AWS > local
 * and /admin share its cached probes, so a health check never probes a provider a second time.
 */
export function providerHealthFrom(
  factory: Pick<CloudProviderFactory, "detectAvailableProviders" | "checkProviderHealth">,
): ProviderHealthSource {
  return async () => {
    const providers = factory.detectAvailableProviders();
    const reports = await Promise.all(providers.map((p) => factory.checkProviderHealth(p)));
    return Object.fromEntries(
      providers.map((p, i) => [p, { healthy: reports[i].healthy, errors: reports[i].errors }]),
    );
  };
}
