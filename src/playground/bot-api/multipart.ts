/**
 * Request bodies: JSON, urlencoded and multipart/form-data, read with a size cap. Multipart is parsed on
 * Buffers so uploads stay byte-exact. grammY writes headers without spaces and an unquoted filename
 * (`content-disposition:form-data;name="x";filename=a b.csv`); browsers quote it. Both are accepted.
 */
import type { IncomingMessage } from "node:http";
import { badRequest, entityTooLarge } from "./api-error.js";

/** A file part of a multipart body. */
export interface UploadedFile {
  fieldName: string;
  fileName: string;
  mimeType?: string;
  bytes: Buffer;
}

/** Parameters and files of one request, before any method looks at them. */
export interface RequestBody {
  fields: Record<string, unknown>;
  files: Map<string, UploadedFile>;
}

/** Reads the whole body; past `maxBytes` it stops buffering and throws 413. */
export async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      req.resume();
      throw entityTooLarge();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Decodes a body by its content type; query-string parameters are merged underneath. */
export function decodeBody(
  contentType: string | undefined,
  body: Buffer,
  query: URLSearchParams,
): RequestBody {
  const fields: Record<string, unknown> = Object.fromEntries(query);
  const files = new Map<string, UploadedFile>();
  const type = (contentType ?? "").toLowerCase();
  if (body.length === 0) return { fields, files };
  if (type.startsWith("application/json")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      throw badRequest("can't parse JSON");
    }
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) Object.assign(fields, parsed);
  } else if (type.startsWith("multipart/form-data")) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? "");
    if (!boundary) throw badRequest("multipart boundary is missing");
    const parts = parseMultipart(body, boundary[1] ?? boundary[2].trim());
    Object.assign(fields, parts.fields);
    for (const [k, v] of parts.files) files.set(k, v);
  } else {
    Object.assign(fields, Object.fromEntries(new URLSearchParams(body.toString("utf8"))));
  }
  return { fields, files };
}

/** Splits a multipart body into text fields and file parts. */
export function parseMultipart(body: Buffer, boundary: string): RequestBody {
  const fields: Record<string, unknown> = {};
  const files = new Map<string, UploadedFile>();
  const delimiter = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delimiter);
  while (pos !== -1) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === "--") break;
    if (body.subarray(pos, pos + 2).toString() === "\r\n") pos += 2;
    const headerEnd = body.indexOf("\r\n\r\n", pos);
    if (headerEnd === -1) break;
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headerEnd + 4);
    if (next === -1) break;
    const headers = parseHeaders(body.subarray(pos, headerEnd).toString("utf8"));
    const content = body.subarray(headerEnd + 4, next);
    const disposition = headers.get("content-disposition") ?? "";
    const name = /\bname="([^"]*)"|\bname=([^;\s]+)/i.exec(disposition);
    const fieldName = name ? (name[1] ?? name[2]) : "";
    const fileName = fileNameOf(disposition);
    if (fileName !== undefined) {
      files.set(fieldName, {
        fieldName,
        fileName,
        mimeType: headers.get("content-type"),
        bytes: Buffer.from(content),
      });
    } else {
      fields[fieldName] = content.toString("utf8");
    }
    pos = next + 2;
  }
  return { fields, files };
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

function fileNameOf(disposition: string): string | undefined {
  const star = /filename\*=(?:UTF-8'')?([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1].trim());
  const quoted = /filename="([^"]*)"/i.exec(disposition);
  if (quoted) return quoted[1].replace(/%22/g, '"');
  const bare = /filename=(.*)$/i.exec(disposition);
  return bare ? bare[1].trim() : undefined;
}
