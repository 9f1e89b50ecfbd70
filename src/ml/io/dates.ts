/**
 * Date parsing for column inference: ISO 8601 (date, optional time and zone), YYYY/MM/DD, and the common
 * D/M/YYYY, D.M.YYYY, D-M-YYYY forms. Slash dates are read day-first unless a value proves the column is
 * month-first (a second part above 12), because day-first is what most of the world writes.
 */
const ISO =
  /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const DMY = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const NAMED = /^(\d{1,2})[ -]([A-Za-z]{3,9})\.?[ -,]+(\d{4})$/;
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

export type DayOrder = "dmy" | "mdy";

/** Looks at slash-style dates to decide the order: any first part > 12 → dmy, any second part > 12 → mdy. */
export function detectDayOrder(values: Iterable<string>): DayOrder {
  for (const v of values) {
    const m = DMY.exec(v.trim());
    if (!m) continue;
    if (Number(m[1]) > 12) return "dmy";
    if (Number(m[2]) > 12) return "mdy";
  }
  return "dmy";
}

/** Epoch milliseconds (UTC) or NaN when the text is not a date in a supported form. */
export function parseDate(text: string, order: DayOrder): number {
  const s = text.trim();
  let m = ISO.exec(s);
  if (m) {
    const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
    const t = utc(+m[1], +m[2], +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), ms);
    return Number.isNaN(t) ? t : t - zoneOffsetMs(m[8]);
  }
  m = DMY.exec(s);
  if (m) {
    const [a, b] = [+m[1], +m[2]];
    const [day, month] = order === "dmy" ? [a, b] : [b, a];
    return utc(+m[3], month, day, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), 0);
  }
  m = NAMED.exec(s);
  if (m) {
    const month = MONTHS.indexOf(m[2].slice(0, 3).toLowerCase()) + 1;
    if (month === 0) return Number.NaN;
    return utc(+m[3], month, +m[1], 0, 0, 0, 0);
  }
  return Number.NaN;
}

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number): number {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return Number.NaN;
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms);
  // Reject 31/02 and the like, which Date.UTC would roll over into the next month.
  return new Date(t).getUTCDate() === d ? t : Number.NaN;
}

function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone.toUpperCase() === "Z") return 0;
  const sign = zone[0] === "-" ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4))) * 60_000;
}

/** ISO text for a stored datetime: date only when there is no time of day. */
export function formatDate(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith("T00:00:00.000Z") ? iso.slice(0, 10) : iso.replace(".000Z", "Z");
}
