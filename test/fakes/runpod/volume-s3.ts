/**
 * The fake's network volumes (runpod-api.md §5 and the checklist's "S3 subset"): each volume is a plain
 * directory, served path-style over the S3 operations RunPod offers, so that the bot reaches a volume through
 * the S3 API while pods (and Serverless workers) see the same bytes as files under their mount, as on RunPod.
 * Batch delete and presigning are not offered (501, as on RunPod). Requests must name one of the volume's
 * S3 access keys; signatures are not verified (the SDK computes them, nothing here would check them better).
 */
import { randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { appendFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { readBody } from "./http.js";

export interface FakeVolumeS3 {
  /** For RUNPOD_STORAGE_ENDPOINT. */
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** The directory behind a volume: what a pod sees at its mount. */
  dirOf(volumeId: string): string;
  /** Every request, as "METHOD bucket/key?query" (for tests that check what was touched). */
  requests: string[];
  close(): Promise<void>;
}

const MAX_KEYS = 1000;
const XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";

export async function startFakeVolumeS3(root: string, volumeIds: string[]): Promise<FakeVolumeS3> {
  const credentials = {
    accessKeyId: "user_2fakevolumekey",
    secretAccessKey: `rps_${randomBytes(12).toString("hex")}`,
  };
  const dirOf = (volumeId: string) => join(root, "volumes", volumeId);
  const metaOf = (volumeId: string, key: string) => `${join(root, "meta", volumeId, ...key.split("/"))}.json`;
  const uploadsDir = join(root, "uploads");
  await Promise.all([...volumeIds.map((v) => mkdir(dirOf(v), { recursive: true })), mkdir(uploadsDir)]);
  const requests: string[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://volume");
    const [bucket = "", ...rest] = url.pathname.slice(1).split("/");
    const key = rest.map(decodeURIComponent).join("/");
    requests.push(`${req.method} ${bucket}/${key}${url.search}`);
    const credential = /Credential=([^/,\s]+)/.exec(req.headers.authorization ?? "")?.[1];
    if (credential !== credentials.accessKeyId) return error(res, 403, "InvalidAccessKeyId");
    if (!volumeIds.includes(bucket)) return error(res, 404, "NoSuchBucket");
    const q = url.searchParams;
    const path = join(dirOf(bucket), ...key.split("/"));
    if (!key) {
      if (req.method === "HEAD") return void res.writeHead(200).end();
      if (req.method === "GET") return listObjects(res, dirOf(bucket), bucket, q);
      return error(res, 501, "NotImplemented"); // DeleteObjects, bucket admin: not on RunPod
    }
    if (key.split("/").some((s) => s === "" || s === "." || s === "..")) return error(res, 400, "InvalidKey");
    if (req.method === "POST" && q.has("uploads")) {
      const uploadId = randomBytes(8).toString("hex");
      await mkdir(join(uploadsDir, uploadId));
      return xml(
        res,
        `<InitiateMultipartUploadResult xmlns="${XMLNS}"><Bucket>${bucket}</Bucket>
        <Key>${esc(key)}</Key><UploadId>${uploadId}</UploadId></InitiateMultipartUploadResult>`,
      );
    }
    const uploadId = q.get("uploadId");
    if (uploadId && req.method === "PUT") {
      const part = join(uploadsDir, uploadId, q.get("partNumber") ?? "0");
      await pipeline(req, createWriteStream(part));
      return void res.writeHead(200, { etag: `"${uploadId}-${q.get("partNumber")}"` }).end();
    }
    if (uploadId && req.method === "POST") {
      await readBody(req);
      const parts = (await readdir(join(uploadsDir, uploadId))).sort((a, b) => Number(a) - Number(b));
      const temporary = `${path}.${randomBytes(4).toString("hex")}.s3part`;
      await mkdir(dirname(path), { recursive: true });
      await writeFile(temporary, "");
      for (const part of parts) await appendFile(temporary, await readFile(join(uploadsDir, uploadId, part)));
      await rename(temporary, path);
      await rm(join(uploadsDir, uploadId), { recursive: true, force: true });
      return xml(
        res,
        `<CompleteMultipartUploadResult xmlns="${XMLNS}"><Bucket>${bucket}</Bucket>
        <Key>${esc(key)}</Key><ETag>"${uploadId}"</ETag></CompleteMultipartUploadResult>`,
      );
    }
    if (uploadId && req.method === "DELETE") {
      await rm(join(uploadsDir, uploadId), { recursive: true, force: true });
      return void res.writeHead(204).end();
    }
    switch (req.method) {
      case "PUT": {
        const body = await readBody(req);
        await mkdir(dirname(path), { recursive: true });
        const temporary = join(dirname(path), `.${randomBytes(4).toString("hex")}.s3part`);
        await writeFile(temporary, body);
        await rename(temporary, path);
        await writeMeta(metaOf(bucket, key), req);
        return void res.writeHead(200, { etag: `"${etagOf(body.length)}"` }).end();
      }
      case "GET":
      case "HEAD": {
        const info = await stat(path).catch(() => undefined);
        if (!info?.isFile()) return error(res, 404, "NoSuchKey", req.method === "HEAD");
        const meta = JSON.parse(await readFile(metaOf(bucket, key), "utf8").catch(() => "{}"));
        res.writeHead(200, {
          "content-length": info.size,
          "last-modified": info.mtime.toUTCString(),
          etag: `"${etagOf(info.size)}"`,
          ...meta,
        });
        if (req.method === "HEAD") return void res.end();
        return void (await pipeline(createReadStream(path), res));
      }
      case "DELETE":
        await rm(path, { force: true });
        await rm(metaOf(bucket, key), { force: true });
        return void res.writeHead(204).end();
      default:
        return error(res, 501, "NotImplemented");
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (!res.headersSent) error(res, 500, "InternalError", false, String(e));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    credentials,
    dirOf,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function writeMeta(path: string, req: IncomingMessage): Promise<void> {
  const meta = Object.fromEntries(
    Object.entries(req.headers).filter(
      ([name]) => name.startsWith("x-amz-meta-") || name === "content-type",
    ) as Array<[string, string]>,
  );
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, JSON.stringify(meta));
}

async function listObjects(res: ServerResponse, dir: string, bucket: string, q: URLSearchParams) {
  const prefix = q.get("prefix") ?? "";
  const after = q.get("continuation-token") ?? q.get("start-after") ?? "";
  const maxKeys = Math.min(MAX_KEYS, Number(q.get("max-keys") ?? MAX_KEYS));
  const keys = (await walk(dir)).filter((k) => k.startsWith(prefix) && k > after);
  const page = keys.slice(0, maxKeys);
  const truncated = keys.length > page.length;
  const contents = await Promise.all(
    page.map(async (key) => {
      const info = await stat(join(dir, ...key.split("/")));
      return `<Contents><Key>${esc(key)}</Key><LastModified>${info.mtime.toISOString()}</LastModified>
        <ETag>"${etagOf(info.size)}"</ETag><Size>${info.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
    }),
  );
  xml(
    res,
    `<ListBucketResult xmlns="${XMLNS}"><Name>${bucket}</Name><Prefix>${esc(prefix)}</Prefix>
    <KeyCount>${page.length}</KeyCount><MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>
    ${contents.join("")}${truncated ? `<NextContinuationToken>${esc(page.at(-1)!)}</NextContinuationToken>` : ""}
    </ListBucketResult>`,
  );
}

/** Every file under `dir` as a key, sorted; hidden entries (temporaries, metadata) are not objects. */
async function walk(dir: string, relative = ""): Promise<string[]> {
  const entries = await readdir(join(dir, relative), { withFileTypes: true }).catch(() => []);
  const keys: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const path = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) keys.push(...(await walk(dir, path)));
    else if (entry.isFile()) keys.push(path);
  }
  return keys.sort();
}

function etagOf(size: number): string {
  return `${size.toString(16)}${"0".repeat(24)}`.slice(0, 32);
}

function esc(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function xml(res: ServerResponse, body: string): void {
  res
    .writeHead(200, { "content-type": "application/xml" })
    .end(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
}

function error(res: ServerResponse, status: number, code: string, headOnly = false, message = code): void {
  res.writeHead(status, { "content-type": "application/xml", "x-amz-error-code": code });
  if (headOnly) return void res.end();
  res.end(
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${esc(message)}</Message></Error>`,
  );
}
