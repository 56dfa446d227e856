/**
 * The CLI as a contract (docs/cli.md): bad input is refused before anything runs.
 *
 * Every command and every one of its options (read from the yargs command modules, so a new option is
 * covered or this test fails) is given a misspelt name and a bad value. Each time: the documented exit code,
 * one clear message, no stack trace, nothing on stdout, every file of the workspace (the SQLite storage
 * among them) byte-for-byte unchanged, and no trainer started. The full table runs through `main(argv)` in
 * this process (a node start per case would take minutes on two cores); the cases users reported, and one
 * per command, also run as real child processes.
 */
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { after, before, describe, test } from "node:test";
import { allCommands, type CommandInfo, type OptionInfo } from "../../src/cli/options.js";
import { suggest } from "../../src/config/suggest.js";
import { ExitCode } from "../../src/exit-codes.js";
import { CliWorkspace, runInProcess, STACK_LINE, useInProcess, type CliResult } from "./workspace.js";

const ws = new CliWorkspace();

before(async () => {
  await ws.setUp();
  useInProcess(ws);
});
after(() => {
  process.chdir(tmpdir());
  ws.dispose();
});

/** A value each non-boolean option must refuse, and what the refusal says. Booleans get `--name=maybe`. */
const BAD_VALUES: Readonly<Record<string, { readonly value: string; readonly code?: number; readonly says: RegExp }>> = {
  storage: { value: "mongodb://nowhere/sweeps", code: ExitCode.storageUnavailable, says: /unknown scheme 'mongodb:\/\/'/ },
  "log-format": { value: "xml", says: /--log-format "xml" is not one of pretty, json/ },
  seed: { value: "abc", says: /--seed "abc" is not a whole number/ },
  objective: { value: "lsat", says: /--objective "lsat" is not one of last, best \(did you mean last\?\)/ },
  gpus: { value: "5", says: /GPU "5", which does not exist; expected indices or UUIDs among 0,1,2,3/ },
  "trials-per-gpu": { value: "two", says: /--trials-per-gpu "two" is not a whole number/ },
  "gpus-per-trial": { value: "0", says: /--gpus-per-trial 0 is out of range/ },
  parallel: { value: "NaN", says: /--parallel "NaN" is not a whole number/ },
  "trial-timeout": { value: "soon", says: /--trial-timeout "soon" is not a duration/ },
  "max-retries": { value: "-1", says: /--max-retries -1 is out of range/ },
  "grace-period": { value: "0s", says: /--grace-period "0s" is not a duration/ },
  "on-interrupt": { value: "later", says: /--on-interrupt "later" is not one of wait, kill/ },
  count: { value: "abc", says: /--count "abc" is not a whole number; expected a whole number of at least 1/ },
  "run-cap": { value: "abc", says: /--run-cap "abc" is not a whole number; expected a whole number of at least 1/ },
  add: { value: "0", says: /--add 0 is out of range; expected a whole number of at least 1/ },
  metric: { value: "", says: /--metric is empty/ },
  goal: { value: "up", says: /--goal "up" is not one of max, min, maximize, minimize/ },
  by: { value: " ", says: /--by is empty/ },
  agg: { value: "mean", says: /--agg "mean" is not one of last, best/ },
  top: { value: "0", says: /--top 0 is out of range/ },
  format: { value: "parquet", says: /--format "parquet" is not one of/ },
  output: { value: "/nonexistent/dir/out.file", says: /the folder \/nonexistent\/dir does not exist/ },
  port: { value: "65536", says: /--port 65536 is out of range; expected a whole number from 0 to 65535/ },
  host: { value: "http://0.0.0.0", says: /--host "http:\/\/0.0.0.0" is not an address/ },
  enqueue: { value: "/nonexistent/baseline.yaml", says: /--enqueue \/nonexistent\/baseline\.yaml: cannot read it: ENOENT/ },
  workers: { value: "0", says: /--workers 0 is out of range/ },
  "gpus-per-worker": { value: "one", says: /--gpus-per-worker "one" is not a whole number/ },
  partition: { value: "gpu nodes", says: /--partition "gpu nodes" is not a Slurm name/ },
  time: { value: "soon", says: /--time "soon" is not a Slurm time limit/ },
  account: { value: "lab;rm", says: /--account "lab;rm" is not a Slurm name/ },
  "sbatch-arg": { value: "qos=high", says: /--sbatch-arg "qos=high" is not an sbatch option/ },
};

/** The misspellings users reported; every other option gets two neighbouring letters swapped. */
const REPORTED_TYPOS: Readonly<Record<string, string>> = { parallel: "paralel", "trials-per-gpu": "trails-per-gpu", gpus: "gpu" };

function misspell(name: string): string {
  if (REPORTED_TYPOS[name]) return REPORTED_TYPOS[name];
  for (let i = Math.floor(name.length / 2) - 1; i + 1 < name.length; i++) {
    if (i >= 0 && name[i] !== name[i + 1] && name[i] !== "-" && name[i + 1] !== "-") return name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
  }
  return `${name}x`;
}

/** Arguments that make each command valid: a sweep file, or the id of a sweep in the storage. */
function positionals(command: string): string[] {
  switch (command) {
    case "run":
    case "validate":
      return [ws.sweepFile];
    case "resume":
    case "agent":
    case "stop":
      return [PENDING]; // a sweep with trials to run: an unchecked command would start a trainer
    case "show":
    case "export":
    case "report":
      return [FINISHED];
    case "rm":
      return [FINISHED, "--yes"];
    case "slurm":
      return ["status", PENDING]; // `submit` would need Slurm; its flags are checked before either action runs
    default:
      return [];
  }
}

// The sweep ids are known once the workspace is set up, after the cases are listed.
const PENDING = "<pending sweep id>";
const FINISHED = "<finished sweep id>";

function resolved(argv: readonly string[]): string[] {
  return argv.map((a) => (a === PENDING ? ws.pendingId : a === FINISHED ? ws.finishedId : a));
}

function validArgs(command: CommandInfo, without?: string): string[] {
  return [command.name, ...positionals(command.name), ...(without === "storage" ? [] : ["--storage", ws.db])];
}

interface Case {
  readonly label: string;
  readonly argv: string[];
  readonly code: number;
  readonly says: RegExp;
}

function optionCases(command: CommandInfo, option: OptionInfo): Case[] {
  const cases: Case[] = [];
  const typo = misspell(option.name);
  const hinted = suggest(typo, command.options.map((o) => o.name)) === option.name;
  cases.push({
    label: `--${typo} (misspelt --${option.name})`,
    argv: [...validArgs(command), `--${typo}`, ...(option.type === "boolean" ? [] : ["1"])],
    code: ExitCode.usage,
    says: hinted ? new RegExp(`unknown option --${typo} \\(did you mean --${option.name}\\?\\)`) : new RegExp(`unknown option --${typo}`),
  });
  if (option.type === "boolean") {
    cases.push({ label: `--${option.name}=maybe`, argv: [...validArgs(command), `--${option.name}=maybe`], code: ExitCode.usage, says: new RegExp(`--${option.name} is an on/off flag`) });
    return cases;
  }
  const bad = BAD_VALUES[option.name];
  assert.ok(bad, `no bad value for --${option.name} of sweep ${command.name}: add one to BAD_VALUES`);
  cases.push({ label: `--${option.name} ${JSON.stringify(bad.value)}`, argv: [...validArgs(command, option.name), `--${option.name}`, bad.value], code: bad.code ?? ExitCode.usage, says: bad.says });
  for (const alias of option.aliases) {
    cases.push({ label: `-${alias} ${JSON.stringify(bad.value)}`, argv: [...validArgs(command, option.name), `-${alias}`, bad.value], code: bad.code ?? ExitCode.usage, says: bad.says });
  }
  cases.push({ label: `--${option.name} without a value`, argv: [...validArgs(command, option.name), `--${option.name}`], code: ExitCode.usage, says: new RegExp(`--${option.name} needs a value`) });
  // A repeatable option (--sbatch-arg) adds a value each time: giving it twice is no mistake.
  if (option.repeatable) return cases;
  // A choice is checked by yargs before the repeat is noticed: repeat a valid one.
  const twice = option.choices?.[0] ?? bad.value;
  cases.push({
    label: `--${option.name} twice`,
    argv: [...validArgs(command, option.name), `--${option.name}`, twice, `--${option.name}`, twice],
    code: ExitCode.usage,
    says: new RegExp(`--${option.name} was given 2 times`),
  });
  return cases;
}

function argumentCases(command: CommandInfo): Case[] {
  const cases: Case[] = [];
  const required = command.positionals.filter((p) => p.required);
  if (required.length > 0) {
    cases.push({ label: "no arguments", argv: [command.name, "--storage", ws.db], code: ExitCode.usage, says: new RegExp(`sweep ${command.name} needs <${required[0]!.name}`) });
  }
  if (!command.positionals.some((p) => p.variadic)) {
    cases.push({ label: "an extra argument", argv: [...validArgs(command), "extra"], code: ExitCode.usage, says: /unexpected argument "extra"/ });
  }
  cases.push({ label: "a word after --", argv: [...validArgs(command), "--", "more"], code: ExitCode.usage, says: /unexpected argument "more"/ });
  return cases;
}

async function assertRefused(c: Case, r: CliResult): Promise<void> {
  const what = `sweep ${resolved(c.argv).join(" ")}\n--- stderr:\n${r.stderr}`;
  assert.equal(r.code, c.code, what);
  assert.match(r.stderr, c.says, what);
  assert.doesNotMatch(r.stderr, STACK_LINE, what);
  assert.doesNotMatch(r.stderr, /internal error/, what);
  assert.equal(r.stdout, "", what);
  assert.deepEqual(ws.changes(), [], what);
  assert.deepEqual(ws.trainerRecords(), [], `a trainer started: ${what}`);
}

describe("the option table", () => {
  test("every non-boolean option of every command has a bad value, and the table has no stale entries", () => {
    const used = new Set<string>();
    for (const command of allCommands().values()) {
      for (const option of command.options) {
        if (option.type === "boolean") continue;
        used.add(option.name);
        assert.ok(BAD_VALUES[option.name], `sweep ${command.name} --${option.name} has no bad value in BAD_VALUES`);
      }
    }
    assert.deepEqual(Object.keys(BAD_VALUES).filter((name) => !used.has(name)), []);
    assert.deepEqual([...allCommands().keys()], ["run", "resume", "agent", "stop", "rm", "validate", "ls", "show", "best", "export", "report", "dashboard", "wandb", "slurm"]);
  });
});

// `sweep wandb` takes its script after `--`, so its options must come before it: its cases are below.
// `sweep dashboard` serves until stopped, so it has no "valid arguments work" case here (test/report/dashboard.test.ts).
for (const command of [...allCommands().values()].filter((c) => c.name !== "wandb" && c.name !== "dashboard")) {
  describe(`sweep ${command.name}`, () => {
    test("the valid arguments the cases start from work (and run trainers, for run/resume/agent)", async () => {
      const argv = resolved(validArgs(command));
      if (command.name === "report") argv.push("-o", "out/report.html");
      const r = await runInProcess(argv);
      try {
        assert.equal(r.code, ExitCode.ok, r.stderr);
        if (["run", "resume", "agent"].includes(command.name)) assert.ok(ws.trainerRecords().length > 0, "no trainer started");
        else assert.notEqual(r.stdout, "");
      } finally {
        ws.restore();
      }
    });

    const cases = [...command.options.flatMap((o) => optionCases(command, o)), ...argumentCases(command)];
    for (const c of cases) {
      test(`${c.label}: exit ${c.code}, nothing run, nothing changed`, async () => {
        await assertRefused(c, await runInProcess(resolved(c.argv)));
      });
    }
  });
}

describe("sweep dashboard (refusals only: a valid one serves until stopped)", () => {
  const dashboard = allCommands().get("dashboard")!;
  const cases = [...dashboard.options.flatMap((o) => optionCases(dashboard, o)), ...argumentCases(dashboard)];
  for (const c of cases) {
    test(`${c.label}: exit ${c.code}, nothing run, nothing changed`, async () => {
      await assertRefused(c, await runInProcess(resolved(c.argv)));
    });
  }
});

describe("sweep wandb (options before `--`, the script after it)", () => {
  const wandb = allCommands().get("wandb")!;
  const script = ["--", "/usr/bin/python3", "-c", "raise SystemExit('the script must not run')"];
  const cases: Case[] = [
    { label: "no script", argv: ["wandb", "--storage", ws.db], code: ExitCode.usage, says: /give the script to run after `--`/ },
    { label: "an empty script name", argv: ["wandb", "--storage", ws.db, ""], code: ExitCode.usage, says: /give the script to run after `--`/ },
    { label: "a program that does not exist", argv: ["wandb", "--storage", ws.db, "--", "/nonexistent/python", "train.py"], code: ExitCode.usage, says: /cannot run "\/nonexistent\/python": no such executable/ },
  ];
  for (const option of wandb.options) {
    for (const c of optionCases(wandb, option)) {
      // optionCases builds `wandb --storage DB <option…>`: the script goes last, after the options.
      cases.push({ ...c, argv: [...c.argv.filter((a, i) => !(i === 0 && a === "wandb")), ...script].filter(() => true) });
    }
  }
  for (const c of cases) {
    test(`${c.label}: exit ${c.code}, nothing run, nothing changed`, async () => {
      const argv = c.argv[0] === "wandb" ? c.argv : ["wandb", ...c.argv];
      await assertRefused({ ...c, argv }, await runInProcess(resolved(argv)));
    });
  }
});

describe("as a real process", () => {
  // What users reported, and one refusal per command, each in its own node process through the CLI's entry point.
  const reported: [string[], RegExp][] = [
    [["run", "SWEEP", "--paralel", "2"], /unknown option --paralel \(did you mean --parallel\?\)/],
    [["run", "SWEEP", "--trails-per-gpu", "2"], /did you mean --trials-per-gpu\?/],
    [["run", "SWEEP", "--gpu", "0"], /did you mean --gpus\?/],
    [["run", "SWEEP", "--objective", "lsat"], /--objective "lsat" is not one of last, best/],
    [["run", "SWEEP", "--gpus", "5"], /among 0,1,2,3/],
    [["run"], /sweep run needs <file>/],
    [["resume", "PENDING", "--gpus", "0,9"], /GPU "9", which does not exist/],
    [["agent", "PENDING", "--count", "abc"], /--count "abc" is not a whole number/],
    [["validate", "SWEEP", "--formt", "json"], /did you mean --format\?/],
    [["ls", "--format", "yaml"], /--format "yaml" is not one of table, json/],
    [["show"], /sweep show needs <id>/],
    [["best", "--goal", "up"], /--goal "up"/],
    [["export", "FINISHED", "--format", "parquet"], /--format "parquet" is not one of csv, json, jsonl/],
    [["report", "FINISHED", "-o", "/nonexistent/dir/r.html"], /the folder \/nonexistent\/dir does not exist/],
    [["stop"], /sweep stop needs <id>/],
    [["wandb", "--cuont", "2", "--", "/usr/bin/python3", "train.py"], /unknown option --cuont \(did you mean --count\?\)/],
    // A positional out of its choices is named as the usage line names it, not as a flag.
    [["slurm", "sumbit", "SWEEP"], /^sweep: <action> "sumbit" is not one of submit, status \(did you mean submit\?\)/m],
  ];
  for (const [template, says] of reported) {
    test(`sweep ${template.join(" ")}`, async () => {
      const argv = [...resolved(template.map((a) => (a === "SWEEP" ? ws.sweepFile : a === "PENDING" ? PENDING : a === "FINISHED" ? FINISHED : a))), "--storage", ws.db];
      const before = ws.storageHash();
      const r = await ws.spawn(argv);
      await assertRefused({ label: template.join(" "), argv, code: ExitCode.usage, says }, r);
      assert.equal(ws.storageHash(), before);
    });
  }
});
