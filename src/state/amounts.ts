/**
 * Dollar amounts users type (budget caps), defined once: the bot parses the reply with `parseDollars`, the
 * store checks what it is given with `isDollarAmount`, and both round to cents the same way.
 */

/** The largest cap or single cost accepted, in dollars: a typo guard, not a policy. */
export const MAX_DOLLARS = 1_000_000;

export function isDollarAmount(value: number, max = MAX_DOLLARS): boolean {
  return Number.isFinite(value) && value >= 0 && value <= max;
}

export function toCents(value: number): number {
  return Math.round(value * 100) / 100;
}

/** "$2.50", "2,5", "3" → dollars rounded to cents; undefined when the text is not an amount from 0 to `max`. */
export function parseDollars(text: string, max = MAX_DOLLARS): number | undefined {
  const plain = text
    .trim()
    .replace(/^\$\s*/, "")
    .replace(",", ".");
  if (!/^\d+(\.\d*)?$|^\.\d+$/.test(plain)) return undefined;
  const value = Number(plain);
  return isDollarAmount(value, max) ? toCents(value) : undefined;
}
