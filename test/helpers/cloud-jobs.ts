/** What the cloud end-to-end tests measure about a job: when its result came, how long compute billed after. */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";
import type { App } from "../../src/app.js";

/** When the worker finished, from its result record, which the bot keeps at home with the model. */
export async function resultFinishedAt(app: App, dataDir: string, userId: number): Promise<number> {
  const state = await app.manager.getState(userId, userId);
  const jobId = (state?.data as { job?: { jobId: string } } | undefined)?.job?.jobId;
  expect(jobId, "the workflow's job").toBeDefined();
  const record = JSON.parse(await readFile(join(dataDir, "jobs", jobId!, "result.json"), "utf8"));
  return Date.parse(record.finishedAt);
}

/** Records, per scenario, how long a pod or an instance billed after the job's end. */
export class BillingRecord {
  private readonly lines: string[] = [];

  /** Seconds from `since` to the compute's end (which must have come). */
  after(scenario: string, compute: { endedAt?: Date }, since: number): number {
    expect(compute.endedAt, "the compute ended").toBeDefined();
    const seconds = (compute.endedAt!.getTime() - since) / 1000;
    this.lines.push(`${scenario}: ${seconds.toFixed(1)} s`);
    return seconds;
  }

  toString(): string {
    return this.lines.join("; ");
  }
}
