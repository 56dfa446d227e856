/**
 * `npm run bench [-- overhead|efficiency|all] [--quick] [--seeds N] [--trials N] [--jobs N] [--no-optuna]`
 *
 * Overhead and sample-efficiency benchmarks of our TPE against Optuna's (Debian's python3-optuna under
 * /usr/bin/python3) and random search. Results go to bench/results/ (JSON, markdown, an SVG plot) and a
 * summary into bench/README.md between its results markers. Never part of `npm test`.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkProblemsAgree, runEfficiency } from "./efficiency.js";
import { optunaAvailability, repoRoot } from "./optuna.js";
import { runOverhead } from "./overhead.js";
import { regretSvg } from "./plot.js";
import { efficiencyMarkdown, overheadMarkdown } from "./report.js";

interface Args {
  readonly what: "overhead" | "efficiency" | "all";
  readonly quick: boolean;
  readonly seeds: number;
  readonly trials: number;
  readonly jobs: number;
  readonly optuna: boolean;
  /** Trials of the long in-memory loop (0: skip it). */
  readonly large: number;
}

const USAGE =
  "usage: node dist/bench/run.js [overhead|efficiency|all] [--quick] [--seeds N] [--trials N] [--jobs N] [--large N] [--no-optuna]";

function parseArgs(argv: readonly string[]): Args {
  let what: Args["what"] = "all";
  let quick = false;
  let optuna = true;
  const numbers: Record<string, number | undefined> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "overhead" || arg === "efficiency" || arg === "all") what = arg;
    else if (arg === "--quick") quick = true;
    else if (arg === "--no-optuna") optuna = false;
    else if (arg === "--seeds" || arg === "--trials" || arg === "--jobs" || arg === "--large") {
      const value = Number(argv[++i]);
      if (!Number.isInteger(value) || value < (arg === "--large" ? 0 : 1)) throw new Error(`${arg} needs an integer >= 1, got ${JSON.stringify(argv[i])}\n${USAGE}`);
      numbers[arg.slice(2)] = value;
    } else throw new Error(`unknown argument ${JSON.stringify(arg)}\n${USAGE}`);
  }
  return {
    what,
    quick,
    optuna,
    seeds: numbers.seeds ?? (quick ? 5 : 20),
    trials: numbers.trials ?? (quick ? 50 : 100),
    jobs: numbers.jobs ?? 2,
    large: numbers.large ?? (quick ? 0 : 10000),
  };
}

const START = "<!-- results:start -->";
const END = "<!-- results:end -->";

/** Replace the generated part of bench/README.md, keeping the hand-written text around it. */
function updateReadme(section: string): void {
  const path = join(repoRoot, "bench", "README.md");
  const text = readFileSync(path, "utf8");
  const a = text.indexOf(START);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error(`${path} lacks the ${START} … ${END} markers`);
  writeFileSync(path, text.slice(0, a + START.length) + "\n" + section + text.slice(b));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string) => console.log(line);
  const resultsDir = join(repoRoot, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  const extra = process.argv.slice(2).join(" ");
  const command = extra === "" ? "npm run bench" : `npm run bench -- ${extra}`;

  let optuna = args.optuna;
  let optunaNote = "";
  if (optuna) {
    const availability = optunaAvailability();
    if (availability.available) {
      const version = await checkProblemsAgree();
      optunaNote = `Optuna ${version} (${"/usr/bin/python3"}), same problems checked to agree at fixed points.`;
    } else {
      optuna = false;
      optunaNote = `Optuna not run: ${availability.reason}. Only our side was measured.`;
      console.warn(`WARNING: ${optunaNote}`);
    }
  } else optunaNote = "Optuna not run (--no-optuna).";
  const sections: string[] = [`Reproduce with \`${command}\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}). ${optunaNote}`, ""];

  if (args.what !== "efficiency") {
    log("overhead:");
    const overhead = await runOverhead({ trials: 1000, large: args.large === 0 ? null : args.large, optuna }, log);
    writeFileSync(join(resultsDir, "overhead.json"), JSON.stringify(overhead, null, 2) + "\n");
    const md = overheadMarkdown(overhead, "");
    writeFileSync(join(resultsDir, "overhead.md"), `# Overhead\n\n${sections[0]}\n\n${md}`);
    sections.push("### Overhead", "", md);
    console.log(md);
  }
  if (args.what !== "overhead") {
    log(`efficiency (${args.seeds} seeds, ${args.trials} trials):`);
    const efficiency = await runEfficiency({ seeds: args.seeds, trials: args.trials, jobs: args.jobs, optuna }, log);
    writeFileSync(join(resultsDir, "efficiency.json"), JSON.stringify(efficiency) + "\n");
    const md = efficiencyMarkdown(efficiency);
    writeFileSync(join(resultsDir, "efficiency.md"), `# Sample efficiency\n\n${sections[0]}\n\n${md}`);
    writeFileSync(join(resultsDir, "regret.svg"), regretSvg(efficiency));
    sections.push("### Sample efficiency (simple regret, lower is better; best median in bold)", "", md, "![regret curves](results/regret.svg)", "");
    console.log(md);
  }
  if (!args.quick && args.what === "all") updateReadme(sections.join("\n"));
  else log("(quick or partial run: bench/README.md left as it is; results are in bench/results/)");
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
