/**
 * What `npm run doctor` (and /admin doctor) reports: one line per prerequisite of each configured provider,
 * in the spirit of `sky check`, and for every failing line the exact fix.
 */

export type CheckStatus = "ok" | "warn" | "fail" | "skip";

export interface CheckResult {
  /** "AWS", "EC2", "Lambda", "RunPod", "Worker image", "Bot". */
  group: string;
  name: string;
  status: CheckStatus;
  /** What was found: an account, a region, a bucket's rules, a GPU's stock. */
  detail: string;
  /** For a failing (or warning) line: what to do, as a command or a setting. */
  fix?: string;
}

export const ok = (group: string, name: string, detail: string): CheckResult => ({
  group,
  name,
  status: "ok",
  detail,
});

export const fail = (group: string, name: string, detail: string, fix: string): CheckResult => ({
  group,
  name,
  status: "fail",
  detail,
  fix,
});

export const warn = (group: string, name: string, detail: string, fix: string): CheckResult => ({
  group,
  name,
  status: "warn",
  detail,
  fix,
});

export const skip = (group: string, name: string, detail: string): CheckResult => ({
  group,
  name,
  status: "skip",
  detail,
});

const MARK: Record<CheckStatus, string> = { ok: "✓", warn: "!", fail: "✗", skip: "-" };

/** A plain-text table: one line per check, the fix indented under it. */
export function formatReport(results: readonly CheckResult[]): string {
  const label = (r: CheckResult) => `${r.group}: ${r.name}`;
  const width = Math.max(...results.map((r) => label(r).length));
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${MARK[r.status]} ${label(r).padEnd(width)}  ${r.detail}`);
    if (r.fix) lines.push(`    fix: ${r.fix}`);
  }
  const failed = results.filter((r) => r.status === "fail").length;
  const warned = results.filter((r) => r.status === "warn").length;
  lines.push(
    "",
    failed ? `${failed} check(s) failed, ${warned} warning(s).` : `All set (${warned} warning(s)).`,
  );
  return lines.join("\n");
}

export function hasFailures(results: readonly CheckResult[]): boolean {
  return results.some((r) => r.status === "fail");
}
