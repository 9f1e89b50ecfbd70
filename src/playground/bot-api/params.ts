/**
 * Typed access to a method's parameters. JSON bodies carry typed values; query strings, urlencoded and
 * multipart bodies carry strings, with objects JSON-serialized (reply_markup, entities, commands …).
 */
import { badRequest } from "./api-error.js";
import type { RequestBody, UploadedFile } from "./multipart.js";

export class Params {
  constructor(
    private readonly values: Record<string, unknown>,
    readonly files: Map<string, UploadedFile> = new Map(),
  ) {}

  static from(body: RequestBody): Params {
    return new Params(body.fields, body.files);
  }

  has(name: string): boolean {
    const value = this.values[name];
    return value !== undefined && value !== null && value !== "";
  }

  string(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined || value === null) return undefined;
    return typeof value === "string"
      ? value
      : typeof value === "object"
        ? JSON.stringify(value)
        : String(value);
  }

  /** An integer parameter; `missing` is the error detail when it is required and absent. */
  int(name: string, missing?: string): number | undefined {
    if (!this.has(name)) {
      if (missing) throw badRequest(missing);
      return undefined;
    }
    const value = Number(this.values[name]);
    if (!Number.isSafeInteger(value)) throw badRequest(`invalid ${name} specified`);
    return value;
  }

  bool(name: string): boolean {
    const value = this.values[name];
    return value === true || value === "true" || value === "1" || value === 1;
  }

  /** An object parameter, decoded from JSON when it arrived as a string. */
  json<T>(name: string, parseError: string): T | undefined {
    const value = this.values[name];
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") return value as T;
    try {
      return JSON.parse(value) as T;
    } catch {
      throw badRequest(parseError);
    }
  }

  /** The chat_id parameter. `@username` chats don't exist here. */
  chatId(): number {
    if (!this.has("chat_id")) throw badRequest("chat_id is empty");
    const value = Number(this.values.chat_id);
    if (!Number.isSafeInteger(value)) throw badRequest("chat not found");
    return value;
  }

  /** The payload as the call log shows it: files replaced by their name and size. */
  forLog(): Record<string, unknown> {
    const out: Record<string, unknown> = { ...this.values };
    for (const [field, file] of this.files) {
      out[field] = { file: file.fileName, size: file.bytes.length, mimeType: file.mimeType };
    }
    return out;
  }
}
