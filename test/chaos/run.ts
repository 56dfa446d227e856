/**
 * `npm run test:chaos [-- --kills N --run-cap N --seed N]`: the long chaos run. Prints the figures, writes them
 * to bench/results/chaos-<date>.json, and exits 1 if any promise broke.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { packageRoot } from "../../src/runner/package-paths.js";
import { runChaos } from "./chaos.js";

const { values } = parseArgs({ options: { kills: { type: "string", default: "50" }, "run-cap": { type: "string", default: "60" }, seed: { type: "string", default: "1" } } });
const figures = await runChaos({ kills: Number(values.kills), runCap: Number(values["run-cap"]), seed: Number(values.seed), log: (l) => process.stderr.write(`${l}\n`) });
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
const dir = join(packageRoot, "bench", "results");
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, `chaos-${new Date().toISOString().slice(0, 10)}-seed${values.seed}.json`), `${JSON.stringify(figures, null, 2)}\n`);
const broken =
  figures.completed !== figures.runCap ||
  Object.keys(figures.otherStatuses).length > 0 ||
  figures.trainedTwice > 0 ||
  figures.overlappingAttempts > 0 ||
  figures.maxTrialsPerGpu > 1 ||
  figures.leftoverProcesses > 0 ||
  figures.integrity !== "ok";
if (broken) process.stderr.write("chaos: a promise broke (see the figures above)\n");
process.exitCode = broken ? 1 : 0;
