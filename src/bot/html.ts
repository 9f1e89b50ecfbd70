/** The one escaping helper for Telegram's HTML parse mode, and small formatting helpers built on it. */

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

/** Escapes text for HTML parse mode. Everything that came from a user or a file goes through here. */
export function esc(text: unknown): string {
  return String(text).replace(/[&<>"]/g, (c) => ENTITIES[c]);
}

export const b = (text: unknown) => `<b>${esc(text)}</b>`;
export const i = (text: unknown) => `<i>${esc(text)}</i>`;
export const code = (text: unknown) => `<code>${esc(text)}</code>`;
export const pre = (text: unknown) => `<pre>${esc(text)}</pre>`;

/** 0.8234 → "0.823"; large and small numbers stay readable. */
export function num(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return "—";
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return value.toExponential(2);
  return Number(value.toFixed(digits)).toString();
}

/** p-values as a reader expects them: "p = 0.034", "p < 0.001". */
export function pText(p: number): string {
  if (!Number.isFinite(p)) return "p —";
  return p < 0.001 ? "p < 0.001" : `p = ${Number(p.toPrecision(2))}`;
}

export function pct(fraction: number, digits = 1): string {
  return `${Number((fraction * 100).toFixed(digits))}%`;
}

/** A text progress bar: ▓▓▓▓░░░░░░ 40% */
export function progressBar(percent: number, width = 12): string {
  const p = Math.max(0, Math.min(100, percent));
  const filled = Math.round((p / 100) * width);
  return `${"▓".repeat(filled)}${"░".repeat(width - filled)} ${Math.round(p)}%`;
}

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "—";
  if (seconds < 60) return `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m < 60 ? `${m} min ${s} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Dollars: "$0.042", "$1.20", "$12"; free shows as "$0". */
export function money(dollars: number): string {
  if (!Number.isFinite(dollars) || dollars === 0) return "$0";
  if (dollars < 0.1) return `$${Number(dollars.toPrecision(2))}`;
  if (dollars < 100) return `$${dollars.toFixed(2)}`;
  return `$${Math.round(dollars)}`;
}

/** 1536 → "1.5 KB". */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}
