/**
 * s3rver as the S3 peer for tests (reference/stack.md §2), run in a child process. Why a child: s3rver
 * 3.7.1 builds ListObjectsV2 continuation tokens with DES, which Node 20's OpenSSL 3 refuses unless the
 * process starts with --openssl-legacy-provider. Without it, any listing past 1,000 keys fails with
 * InternalError. A child also keeps s3rver's work off the test's event loop.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import type { S3Client } from "@aws-sdk/client-s3";

export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

export interface S3rverHandle {
  /** http://127.0.0.1:{port} */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

const CHILD_PROGRAM = `
const { modulePath, directory, buckets } = JSON.parse(process.env.S3RVER_OPTIONS);
const { default: S3rver } = await import(modulePath);
const server = new S3rver({
  address: "127.0.0.1", port: 0, silent: true, directory,
  configureBuckets: buckets.map((name) => ({ name, configs: [] })),
});
const { port } = await server.run();
process.stdout.write(JSON.stringify({ port }) + "\\n");
// Exit with the parent: stdin closes when the test process goes away.
process.stdin.resume();
process.stdin.on("end", () => process.exit(0));
process.on("SIGTERM", () => server.close().finally(() => process.exit(0)));
`;

/** Starts s3rver with the given buckets on a free port, storing objects in a fresh temporary directory. */
export async function startS3rver(buckets: string[]): Promise<S3rverHandle> {
  const directory = await mkdtemp(join(tmpdir(), "s3rver-"));
  const modulePath = pathToFileURL(createRequire(import.meta.url).resolve("s3rver")).href;
  const child = spawn(
    process.execPath,
    ["--openssl-legacy-provider", "--input-type=module", "--eval", CHILD_PROGRAM],
    {
      env: { ...process.env, S3RVER_OPTIONS: JSON.stringify({ modulePath, directory, buckets }) },
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  const port = await readPort(child);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    async close() {
      await stopChild(child);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

function readPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`s3rver exited before listening (code ${code})`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** The environment of a bot whose S3 bucket is `bucket` on this s3rver. */
export function s3rverEnv(server: S3rverHandle, bucket: string): Record<string, string> {
  return {
    S3_BUCKET: bucket,
    S3_ENDPOINT: server.endpoint,
    S3_FORCE_PATH_STYLE: "true",
    S3_CHECKSUM_WHEN_REQUIRED: "true",
    AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  };
}

/** Names of the S3 commands `client` sends from now on (e.g. "GetObjectCommand"). */
export function recordCommands(client: S3Client): string[] {
  const names: string[] = [];
  client.middlewareStack.add(
    (next, context) => (args) => {
      names.push(String(context.commandName));
      return next(args);
    },
    { step: "initialize" },
  );
  return names;
}
