/**
 * Optuna's TPE + HyperbandPruner on one learning-curve family, as a process of its own so it runs beside our
 * sweeps on the other core: `node dist/bench/pruning/optuna-driver.js <family> <budget> <seed>...` prints
 * `{"optuna": version, "runs": [TrialOutcome[] per seed]}`. Optuna's study lives in a Python process
 * (optuna_tpe.py, JSON lines); the curves and their noise come from families.ts, the same code our rows use,
 * so Optuna's trial n of seed s sees the noise our trial n of seed s sees. Trials run one at a time until the
 * budget of epochs is spent, as ours do.
 */
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { FAMILIES, FAMILY_EPOCHS, trueFinalOf, type CurveFamily, type Params } from "./families.js";
import type { TrialOutcome } from "./ours.js";

const OPTUNA_PYTHON = "/usr/bin/python3";
export const OPTUNA_HYPERBAND = { min_resource: 1, max_resource: FAMILY_EPOCHS, reduction_factor: 3 } as const;

export async function runOptunaTpe(family: CurveFamily, seeds: readonly number[], budget: number): Promise<{ version: string; runs: TrialOutcome[][] }> {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/bench/pruning -> bench/pruning (the script is not compiled)
  const script = join(here, "..", "..", "..", "bench", "pruning", "optuna_tpe.py");
  const child = spawn(OPTUNA_PYTHON, [script], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const call = async (request: object): Promise<Record<string, unknown>> => {
    child.stdin.write(JSON.stringify(request) + "\n");
    const next = await lines.next();
    if (next.done) throw new Error(`${OPTUNA_PYTHON} ${script} ended: ${stderr.trim().split("\n").slice(-3).join(" ")}`);
    return JSON.parse(next.value) as Record<string, unknown>;
  };
  let version = "unknown";
  const runs: TrialOutcome[][] = [];
  try {
    for (const seed of seeds) {
      version = (await call({ op: "study", seed, parameters: family.parameters, pruner: OPTUNA_HYPERBAND })).optuna as string;
      const outcomes: TrialOutcome[] = [];
      let spent = 0;
      while (spent < budget) {
        const asked = await call({ op: "ask" });
        const number = asked.number as number;
        const p = asked.params as Params;
        let epoch = 0;
        let ending: "completed" | "pruned" | "budget" = "completed";
        let last = NaN;
        while (epoch < FAMILY_EPOCHS) {
          if (spent === budget) {
            ending = "budget";
            break;
          }
          epoch++;
          spent++;
          last = family.reportedLoss(p, seed, number, epoch);
          const { prune } = await call({ op: "report", step: epoch, value: last });
          if (epoch < FAMILY_EPOCHS && prune === true) {
            ending = "pruned";
            break;
          }
        }
        await call(ending === "completed" ? { op: "tell", state: "complete", value: last } : { op: "tell", state: "pruned" });
        outcomes.push({ epochs: epoch, completed: ending === "completed", trueFinal: trueFinalOf(family, p) });
      }
      runs.push(outcomes);
    }
  } finally {
    child.stdin.end();
  }
  return { version, runs };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [name, budget, ...seeds] = process.argv.slice(2);
  const family = FAMILIES.find((f) => f.name === name);
  if (!family) throw new Error(`unknown family ${JSON.stringify(name)}`);
  const result = await runOptunaTpe(family, seeds.map(Number), Number(budget));
  process.stdout.write(JSON.stringify(result) + "\n");
}
