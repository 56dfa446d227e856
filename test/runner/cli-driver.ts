/**
 * Runs `sweep run|resume|agent` in a child process for the integration tests, through the real command
 * modules, without depending on the rest of the CLI being wired up. Usage:
 *   node cli-driver.js run FILE --storage DB [flags]
 */
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { agentCommand } from "../../src/cli/commands/agent.js";
import { resumeCommand } from "../../src/cli/commands/resume.js";
import { runCommand } from "../../src/cli/commands/run.js";
import { describeFailure } from "../../src/cli/errors.js";

try {
  await yargs(hideBin(process.argv))
    .option("storage", { type: "string", global: true })
    .command(runCommand)
    .command(resumeCommand)
    .command(agentCommand)
    .demandCommand(1)
    .strict()
    .fail((message, error) => {
      throw error ?? new Error(message);
    })
    .parseAsync();
} catch (error) {
  const failure = describeFailure(error);
  process.stderr.write(`sweep: ${failure.message}\n`);
  process.exitCode = failure.exitCode;
}
