/**
 * Downloading what users send. grammY has no download helper: the URL is built from the same apiRoot the bot
 * uses (the public Bot API or a self-hosted one, which allows larger files). The body is streamed to disk
 * through a byte counter that stops at the limit, under a time limit: a declared `file_size` is never
 * trusted, and nothing is held in memory.
 */
import { randomUUID } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream } from "node:stream/web";
import type { Api } from "grammy";
import { DataLimitError, DownloadError } from "../errors.js";

export interface DownloadedFile {
  path: string;
  fileName: string;
  sizeBytes: number;
}

export interface DownloadOptions {
  apiRoot: string;
  token: string;
  maxBytes: number;
  /** The whole download, from asking for the file to its last byte. */
  timeoutMs: number;
  stagingDir: string;
  userId: number;
}

/** Names typed by users go into a local path: keep letters, digits, dot, dash, underscore. */
export function safeFileName(name: string | undefined): string {
  const cleaned = (name ?? "data.csv")
    .normalize("NFKC")
    .replace(/[^\w.-]+/g, "_")
    .replace(/^[._]+/, "");
  return cleaned.slice(-100) || "data.csv";
}

export async function downloadTelegramFile(
  api: Api,
  options: DownloadOptions,
  document: { file_id: string; file_name?: string; file_size?: number },
): Promise<DownloadedFile> {
  // A declared size over the limit is refused at once; one under it proves nothing.
  if (document.file_size !== undefined && document.file_size > options.maxBytes)
    throw tooBig(options.maxBytes);
  const signal = AbortSignal.timeout(options.timeoutMs);
  const dir = join(options.stagingDir, "uploads", String(options.userId));
  await mkdir(dir, { recursive: true });
  const fileName = safeFileName(document.file_name);
  const path = join(dir, `${randomUUID()}-${fileName}`);
  try {
    const file = await api.getFile(document.file_id, signal as Parameters<Api["getFile"]>[1]);
    if (!file.file_path) throw new DownloadError("Telegram did not give me the file.", {});
    const response = await fetch(`${options.apiRoot}/file/bot${options.token}/${file.file_path}`, { signal });
    if (!response.ok || !response.body)
      throw new DownloadError(`Telegram answered ${response.status} when I fetched the file.`, {});
    const counter = byteCounter(options.maxBytes);
    await pipeline(
      Readable.fromWeb(response.body as ReadableStream),
      counter.stream,
      createWriteStream(path),
      {
        signal,
      },
    );
    return { path, fileName, sizeBytes: counter.bytes() };
  } catch (error) {
    await rm(path, { force: true });
    if (signal.aborted) {
      throw new DownloadError(
        `Downloading the file took longer than ${options.timeoutMs / 1000} s.`,
        { timeoutMs: options.timeoutMs },
        { recovery: "Send it again, or a smaller file." },
      );
    }
    throw error;
  }
}

/** A pass-through that fails with DataLimitError as soon as more than `maxBytes` went through. */
function byteCounter(maxBytes: number): { stream: Transform; bytes: () => number } {
  let total = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      done(total > maxBytes ? tooBig(maxBytes) : null, chunk);
    },
  });
  return { stream, bytes: () => total };
}

function tooBig(maxBytes: number): DataLimitError {
  return new DataLimitError("The file is larger than I can download.", { maxBytes });
}
