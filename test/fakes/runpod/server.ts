/**
 * A local fake of RunPod for tests and benchmarks, built from the checklist at the end of
 * ../../../../shared/reference/runpod-api.md: GraphQL at POST /graphql (a real schema, so queries are
 * validated), the Serverless REST routes and worker protocol under /v2/{endpointId}, pods that run our real
 * worker against s3rver (standing in for the network volume), and failure injection per test.
 * `leaks()` lists pods still alive and worker processes still running: tests assert it is empty.
 */
import { mkdtemp } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { graphql, Kind, parse } from "graphql";
import { type FakeFault, FaultQueue } from "./faults.js";
import { type Caller, type FakeAccount, rootValue } from "./graphql.js";
import { readBody, sendHtml, sendJson } from "./http.js";
import { PodLedger } from "./pods.js";
import { type CatalogGpu, defaultCatalog, SCHEMA } from "./schema.js";
import { FakeServerless } from "./serverless.js";
import { type FakeVolumeS3, startFakeVolumeS3 } from "./volume-s3.js";

export interface FakeRunPodOptions {
  apiKey?: string;
  /** How long a pod "pulls" its image before its runtime appears (ms). Default 300. */
  pullMs?: number;
  endpointId?: string;
  /** Serverless result retention (ms). */
  retention?: { runMs: number; runsyncMs: number };
  /** How pods start the worker (node arguments before the spec URI); default src/worker/main.ts via tsx. */
  workerArgs?: string[];
}

export interface FakeRunPodServer {
  /** For RUNPOD_API_URL. */
  graphqlUrl: string;
  /** For RUNPOD_SERVERLESS_URL (…/v2). */
  serverlessUrl: string;
  baseUrl: string;
  apiKey: string;
  endpointId: string;
  account: FakeAccount;
  catalog: CatalogGpu[];
  pods: PodLedger;
  serverless: FakeServerless;
  /** The account's network volumes: an S3 API for the bot, directories that pods mount. */
  volumes: FakeVolumeS3;
  /** Every GraphQL request: its root fields and variables. */
  requests: Array<{ fields: string[]; variables?: Record<string, unknown>; caller: Caller | "none" }>;
  inject(fault: FakeFault, times?: number): void;
  clearFaults(): void;
  /** Starts a Serverless worker process (src/worker/container.ts) with this extra env. */
  startServerlessWorker(env: Record<string, string>): void;
  /** Pods still alive and worker processes still running. */
  leaks(): { pods: string[]; workers: string[] };
  close(): Promise<void>;
}

const PUBLIC_FIELDS = new Set(["gpuTypes", "dataCenters"]);

export async function startFakeRunPodServer(options: FakeRunPodOptions = {}): Promise<FakeRunPodServer> {
  const apiKey = options.apiKey ?? "rpa_FAKEACCOUNTKEY000000";
  const endpointId = options.endpointId ?? "smapredict01";
  const faults = new FaultQueue();
  const account: FakeAccount = {
    id: "user_2fake0account",
    email: "analyst@example.com",
    clientBalance: 25,
    spendLimit: 80,
    networkVolumes: [{ id: "v3zskt9gvb", name: "sma-data", size: 50, dataCenterId: "EU-RO-1" }],
  };
  const catalog = defaultCatalog();
  let baseUrl = "";
  const volumes = await startFakeVolumeS3(
    await mkdtemp(join(tmpdir(), "fake-runpod-volumes-")),
    account.networkVolumes.map((v) => v.id),
  );
  const pods = new PodLedger({
    pullMs: options.pullMs ?? 300,
    apiUrl: () => `${baseUrl}/graphql`,
    baseEnv: process.env,
    workerArgs: options.workerArgs,
    volumePath: (volumeId) => volumes.dirOf(volumeId),
  });
  const serverless = new FakeServerless({
    endpointId,
    workerKey: "rpa_FAKEWORKERKEY",
    faults,
    retention: options.retention,
  });
  const requests: FakeRunPodServer["requests"] = [];
  const hanging = new Set<ServerResponse>();
  const state = { account, catalog, ledger: pods, faults };

  const callerOf = (key: string | undefined): Caller | undefined => {
    if (key === apiKey) return { kind: "account" };
    const pod = [...pods.pods.values()].find((p) => p.podKey === key);
    return pod ? { kind: "pod", podId: pod.id } : undefined;
  };

  const handleGraphql = async (req: IncomingMessage, res: ServerResponse, key: string | undefined) => {
    const body = JSON.parse((await readBody(req)).toString("utf8") || "{}") as {
      query?: string;
      variables?: Record<string, unknown>;
    };
    const fields = rootFields(body.query ?? "");
    const caller = callerOf(key);
    requests.push({ fields, variables: body.variables, caller: caller ?? "none" });
    if (!caller && !fields.every((f) => PUBLIC_FIELDS.has(f)))
      return sendJson(res, 401, { error: "Unauthorized" });
    const forOp = (f: { operation?: string }) => !f.operation || fields.includes(f.operation);
    if (faults.take("html-502", forOp)) return sendHtml(res, 502);
    if (faults.take("rate-limited", forOp)) return sendHtml(res, 429, { "retry-after": "1" });
    if (fields.includes("myself") && faults.take("myself-null"))
      return sendJson(res, 200, { data: { myself: null } });
    const selfTerminate = fields.includes("podTerminate") && caller?.kind === "pod";
    if (selfTerminate && faults.take("self-terminate-fails")) return sendInternalError(res, fields);
    const internal = faults.take("internal-error", forOp);
    if (internal && !internal.sideEffect) return sendInternalError(res, fields);
    const creates = fields.some((f) => f === "podFindAndDeployOnDemand" || f === "podRentInterruptable");
    const timeout = creates ? faults.take("create-timeout") : undefined;
    const result = await graphql({
      schema: SCHEMA,
      source: body.query ?? "",
      variableValues: body.variables,
      rootValue: rootValue(state, caller ?? { kind: "account" }),
    });
    if (internal) return sendInternalError(res, fields); // the side effect happened, the answer says otherwise
    if (timeout && !result.errors) return void hanging.add(res); // the pod exists; the answer never comes
    // Validation errors (no data at all) are 400; resolver errors are 200 with `errors` (runpod-api.md §1).
    sendJson(res, result.errors && !result.data ? 400 : 200, result);
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const key =
      req.headers.authorization?.replace(/^Bearer\s+/i, "") || url.searchParams.get("api_key") || undefined;
    const parts = url.pathname.split("/").filter(Boolean);
    const work =
      req.method === "POST" && url.pathname === "/graphql"
        ? handleGraphql(req, res, key)
        : parts[0] === "v2"
          ? serverless.handle(req, res, parts.slice(1), key, key === apiKey)
          : Promise.resolve(sendJson(res, 404, { message: "Not Found" }));
    work.catch((error) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(error) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    graphqlUrl: `${baseUrl}/graphql`,
    serverlessUrl: `${baseUrl}/v2`,
    baseUrl,
    apiKey,
    endpointId,
    account,
    catalog,
    pods,
    serverless,
    volumes,
    requests,
    inject: (fault, times) => faults.inject(fault, times),
    clearFaults: () => faults.clear(),
    // The endpoint has the account's volume attached: its workers see it at RunPod's serverless mount.
    startServerlessWorker: (env) =>
      void serverless.startWorker(baseUrl, {
        SMA_VOLUME_PATH: volumes.dirOf(account.networkVolumes[0].id),
        ...env,
      }),
    leaks: () => pods.leaks(),
    async close() {
      for (const res of hanging) res.destroy();
      await pods.close();
      await serverless.close();
      await volumes.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function sendInternalError(res: ServerResponse, fields: string[]): void {
  const message = "Something went wrong. Please try again later or contact support.";
  sendJson(res, 200, {
    errors: [{ message, path: [fields[0] ?? "unknown"], extensions: { code: "INTERNAL_SERVER_ERROR" } }],
    data: Object.fromEntries(fields.map((f) => [f, null])),
  });
}

/** The root field names of a document ("myself", "podTerminate" …), or [] when it does not parse. */
function rootFields(query: string): string[] {
  try {
    const doc = parse(query);
    return doc.definitions.flatMap((d) =>
      d.kind === Kind.OPERATION_DEFINITION
        ? d.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []))
        : [],
    );
  } catch {
    return [];
  }
}
