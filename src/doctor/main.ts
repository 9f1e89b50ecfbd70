/**
 * `npm run doctor`: checks what the environment configures (the same variables as the bot) and prints the
 * table; exits 1 when a check failed, so a deployment script can stop there.
 */
import { loadConfig } from "../config.js";
import { AppError } from "../errors.js";
import { formatReport, hasFailures, runDoctor } from "./index.js";

try {
  const results = await runDoctor(loadConfig());
  console.log(formatReport(results));
  process.exit(hasFailures(results) ? 1 : 0);
} catch (error) {
  console.error(error instanceof AppError ? error.message : String(error));
  process.exit(1);
}
