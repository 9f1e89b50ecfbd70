/**
 * Downloading what users send. grammY has no download helper: the URL is built from the same apiRoot the bot
 * uses (the public Bot API or a self-hosted one, which allows larger files).
 */
import { randomUUID } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Api } from "grammy";
import { DataLimitError, DownloadError } from "../errors.js";

export interface DownloadedFile {
  path: string;
  fileName: string;
  sizeBytes: number;
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
  options: { apiRoot: string; token: string; maxBytes: number; stagingDir: string; userId: number },
  document: { file_id: string; file_name?: string; file_size?: number },
): Promise<DownloadedFile> {
  if (document.file_size !== undefined && document.file_size > options.maxBytes) {
    throw new DataLimitError("The file is larger than I can download.", {
      sizeBytes: document.file_size,
      maxBytes: options.maxBytes,
    });
  }
  const file = await api.getFile(document.file_id);
  if (!file.file_path) throw new DownloadError("Telegram did not give me the file.", {});
  const response = await fetch(`${options.apiRoot}/file/bot${options.token}/${file.file_path}`);
  if (!response.ok)
    throw new DownloadError(`Telegram answered ${response.status} when I fetched the file.`, {});
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength > options.maxBytes) {
    throw new DataLimitError("The file is larger than I can download.", { sizeBytes: bytes.byteLength });
  }
  const dir = join(options.stagingDir, "uploads", String(options.userId));
  await mkdir(dir, { recursive: true });
  const fileName = safeFileName(document.file_name);
  const path = join(dir, `${randomUUID()}-${fileName}`);
  await writeFile(path, bytes);
  return { path, fileName, sizeBytes: bytes.byteLength };
}
