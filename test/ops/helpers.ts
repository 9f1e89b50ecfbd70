/** Small helpers shared by the ops tests. */
import { createServer } from "node:net";

/** Telegram shows HTML-formatted text without its tags: what the emulator stores as the message text. */
export function plainText(html: string): string {
  return html
    .replace(/<[^>]+>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, "&");
}

/** A port that was free a moment ago (for a server whose URL must be known before it starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns a value (not undefined), or throws after `timeoutMs`. */
export async function eventually<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One sample of a Prometheus text page: `name{labels} value`. */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|NaN|[+-]Inf))$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Parses the text exposition format strictly enough to catch mistakes: every line is a HELP, a TYPE or a
 * sample; every sample belongs to a family declared by an earlier TYPE line.
 */
export function parsePrometheus(text: string): PromSample[] {
  const typed = new Map<string, string>();
  const samples: PromSample[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta) {
      if (meta[1] === "TYPE") {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(meta[3]))
          throw new Error(`bad TYPE: ${line}`);
        typed.set(meta[2], meta[3]);
      }
      continue;
    }
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    if (!typed.has(familyOf(match[1], typed))) throw new Error(`sample before its TYPE line: ${line}`);
    const labels: Record<string, string> = {};
    const body = match[3] ?? "";
    const consumed = body.replace(LABEL, (_, key: string, value: string) => {
      labels[key] = value.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
      return "";
    });
    if (consumed.replace(/,/g, "") !== "") throw new Error(`bad labels: ${line}`);
    samples.push({ name: match[1], labels, value: Number(match[4].replace("Inf", "Infinity")) });
  }
  return samples;
}

/** A histogram's or summary's series (`x_bucket`, `x_sum`, `x_count`) belong to the family `x`. */
function familyOf(sample: string, typed: Map<string, string>): string {
  const series = /^(.+)_(bucket|sum|count)$/.exec(sample);
  if (!series || typed.has(sample)) return sample;
  const kind = typed.get(series[1]);
  return kind === "histogram" || (kind === "summary" && series[2] !== "bucket") ? series[1] : sample;
}

/** The value of one sample (0 when absent, as Prometheus treats a counter never incremented). */
export function sampleValue(
  samples: PromSample[],
  name: string,
  labels: Record<string, string> = {},
): number {
  const found = samples.find(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  return found?.value ?? 0;
}
