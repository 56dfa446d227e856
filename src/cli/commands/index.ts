/** Every `sweep` sub-command, in the order `--help` lists them. */
import type { CommandModule } from "yargs";
import { agentCommand } from "./agent.js";
import { bestCommand } from "./best.js";
import { dashboardCommand } from "./dashboard.js";
import { exportCommand } from "./export.js";
import { lsCommand } from "./ls.js";
import { reportCommand } from "./report.js";
import { resumeCommand } from "./resume.js";
import { runCommand } from "./run.js";
import { showCommand } from "./show.js";
import { rmCommand } from "./rm.js";
import { slurmCommand } from "./slurm.js";
import { stopCommand } from "./stop.js";
import { validateCommand } from "./validate.js";
import { wandbCommand } from "./wandb.js";

// yargs' CommandModule is invariant in its argument types; the list only needs to hand them to .command().
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [runCommand, resumeCommand, agentCommand, stopCommand, rmCommand, validateCommand, lsCommand, showCommand, bestCommand, exportCommand, reportCommand, dashboardCommand, wandbCommand, slurmCommand];
