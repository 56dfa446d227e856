/**
 * The CLI contract as a property: whatever the arguments, `sweep` either refuses them with a documented exit
 * code, one message without a stack trace, nothing on stdout, every file of the workspace byte-for-byte
 * unchanged and no trainer started, or it does what was asked (a valid run, a listing, a written report).
 *
 * argv is generated per command from its own option list (src/cli/options.ts): each option with a valid
 * value, a bad one or a random string, misspelt options, unknown options, stray words, `--`, --help. The CLI
 * runs in-process through `main(argv)`, so a few hundred argvs take seconds.
 */
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { relative, resolve as pathResolve } from "node:path";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { allCommands, type CommandInfo, type OptionInfo } from "../../src/cli/options.js";
import { ExitCode } from "../../src/exit-codes.js";
import { CliWorkspace, runInProcess, STACK_LINE, useInProcess } from "./workspace.js";

const ws = new CliWorkspace();
before(async () => {
  await ws.setUp();
  useInProcess(ws);
});
after(() => {
  process.chdir(tmpdir());
  ws.dispose();
});

/** Every code docs/cli.md lists that a command can end with here (1 is a bug; 130/143 need a signal). */
const DOCUMENTED = new Set<number>([
  ExitCode.ok,
  ExitCode.usage,
  ExitCode.invalidConfig,
  ExitCode.notFound,
  ExitCode.trainerBroken,
  ExitCode.trialsFailed,
  ExitCode.noResult,
  ExitCode.storageUnavailable,
]);
// Commands whose successful run may change the storage (stop marks the sweep stopped).
const RUNNERS = new Set(["run", "resume", "agent", "stop", "rm", "wandb"]);

// Stand-ins for values known once the workspace is set up.
const PENDING = "@pending";
const FINISHED = "@finished";
const resolve = (a: string) => (a === PENDING ? ws.pendingId : a === FINISHED ? ws.finishedId : a);

/** Values a user would mean; the default storage (storage/sweeps.db in the cwd) is the workspace's. */
const VALID: Readonly<Record<string, readonly string[]>> = {
  storage: [ws.db, "storage/sweeps.db", "elsewhere/none.db"],
  "log-format": ["pretty"],
  seed: ["0", "7"],
  objective: ["last", "best"],
  gpus: ["none", "0", "all", "1,3", "GPU-00000002"],
  "trials-per-gpu": ["1", "2"],
  "gpus-per-trial": ["1", "2"],
  parallel: ["1", "2"],
  "trial-timeout": ["30s", "1m"],
  "max-retries": ["0", "1"],
  "grace-period": ["1s", "2"],
  "on-interrupt": ["wait", "kill"],
  count: ["1", "3"],
  metric: ["score", "loss"],
  goal: ["max", "minimize"],
  by: ["x"],
  agg: ["last", "best"],
  top: ["1", "2"],
  format: ["table", "text", "json", "csv", "jsonl"],
  "run-cap": ["1", "5"],
  add: ["1", "2"],
  output: ["out/result.txt"],
  workers: ["1", "2"],
  "gpus-per-worker": ["0", "1"],
  partition: ["debug"],
  time: ["10", "1:00:00"],
  account: ["lab"],
  "sbatch-arg": ["--qos=high"],
};

/** Values that are wrong for most options. */
const BAD = ["", " ", "abc", "-1", "0", "1.5", "1e3", "0x10", "NaN", "Infinity", "5", "0,0", "9", "99999999999999999999", "mongodb://x/y", "/nonexistent/dir/f", "-", ".", "out", "yaml", "lsat", "sqlite:", ":memory", "30d"];

const randomText = fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: "grapheme", maxLength: 4 }), fc.string({ unit: "binary", maxLength: 4 })).filter((s) => !s.includes("\0"));

function misspelt(name: string): fc.Arbitrary<string> {
  return fc.nat({ max: Math.max(0, name.length - 2) }).map((i) => name.slice(0, i) + name.slice(i + 1));
}

function optionTokens(o: OptionInfo): fc.Arbitrary<string[]> {
  if (o.type === "boolean") {
    return fc.oneof(
      fc.constant<string[]>([`--${o.name}`]),
      fc.constant<string[]>([`--no-${o.name}`]),
      fc.constantFrom("true", "false", "maybe", "1", "").map((v) => [`--${o.name}=${v}`]),
    );
  }
  const value = fc.oneof(
    { arbitrary: fc.constantFrom(...(VALID[o.name] ?? ["1"])), weight: 4 },
    { arbitrary: fc.constantFrom(...BAD), weight: 2 },
    { arbitrary: randomText, weight: 1 },
  );
  const spelled = o.aliases.length > 0 ? fc.constantFrom(`--${o.name}`, ...o.aliases.map((a) => `-${a}`)) : fc.constant(`--${o.name}`);
  return fc.tuple(spelled, value, fc.boolean()).map(([flag, v, joined]) => (joined && flag.startsWith("--") ? [`${flag}=${v}`] : [flag, v]));
}

function positionalWords(command: string): string[] {
  if (command === "run" || command === "validate") return [ws.sweepFile, ws.badFile, "missing.yaml", "sweep.yaml"];
  if (command === "ls") return [];
  return [PENDING, FINISHED, "nosuchid", "a/b"];
}

function argvFor(command: CommandInfo): fc.Arbitrary<string[]> {
  const words = positionalWords(command.name);
  const token = fc.oneof(
    { arbitrary: fc.constantFrom(...command.options).chain(optionTokens), weight: 8 },
    { arbitrary: fc.constantFrom(...command.options).chain((o) => misspelt(o.name)).map((n) => [`--${n}`, "1"]), weight: 1 },
    { arbitrary: randomText.map((t) => [`--${t}`]), weight: 1 },
    { arbitrary: (words.length > 0 ? fc.constantFrom(...words) : randomText).map((w) => [w]), weight: 1 },
    { arbitrary: randomText.map((w) => [w]), weight: 1 },
    { arbitrary: fc.constantFrom(["--"], ["--help"], ["-h"], ["--version"], ["-"]), weight: 1 },
  );
  // Usually the arguments a command needs come first, so the options decide the outcome.
  const lead = words.length > 0 && command.positionals.some((p) => p.required) ? fc.option(fc.constantFrom(...words), { freq: 6, nil: undefined }) : fc.constant(undefined);
  const name = fc.oneof({ arbitrary: fc.constant(command.name), weight: 12 }, { arbitrary: misspelt(command.name), weight: 1 });
  return fc.tuple(name, lead, fc.array(token, { maxLength: 4 })).map(([n, first, rest]) => [n, ...(first === undefined ? [] : [first]), ...rest.flat()]);
}

/** The file a command was asked to write (`--output X`, `-o X`, `--output=X`; the last one counts), relative to the workspace. */
function outputOf(argv: readonly string[]): string | undefined {
  let output: string | undefined;
  argv.forEach((a, i) => {
    if ((a === "--output" || a === "-o") && i + 1 < argv.length) output = argv[i + 1];
    else if (a.startsWith("--output=")) output = a.slice("--output=".length);
  });
  return output === undefined ? undefined : relative(ws.dir, pathResolve(ws.dir, output));
}

// `sweep dashboard` with valid arguments serves until stopped; its refusals are in contract.test.ts.
const anyArgv = fc.constantFrom(...[...allCommands().values()].filter((c) => c.name !== "dashboard")).chain(argvFor);

test("whatever the arguments: a documented refusal that changed nothing, or a valid run", async () => {
  const outcomes = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(anyArgv, async (template) => {
      const argv = template.map(resolve);
      const r = await runInProcess(argv);
      const what = `sweep ${JSON.stringify(argv)} -> exit ${r.code}\n--- stderr:\n${r.stderr}\n--- stdout:\n${r.stdout.slice(0, 500)}`;
      outcomes.set(r.code ?? -1, (outcomes.get(r.code ?? -1) ?? 0) + 1);
      const changes = ws.changes();
      const records = ws.trainerRecords();
      try {
        assert.ok(DOCUMENTED.has(r.code ?? -1), `undocumented exit code: ${what}`);
        assert.doesNotMatch(r.stderr, STACK_LINE, what);
        assert.doesNotMatch(r.stderr, /internal error/, what);
        const command = allCommands().has(argv[0]!) ? argv[0]! : undefined;
        const ran = r.code === ExitCode.ok || (command !== undefined && RUNNERS.has(command) && (r.code === ExitCode.trainerBroken || r.code === ExitCode.trialsFailed));
        const validated = command === "validate" && r.code === ExitCode.invalidConfig; // validate's report on a bad file
        if (ran && command !== undefined && RUNNERS.has(command)) return; // a valid run: it may store, log and start trainers
        if (ran || validated) {
          // A read command did what was asked: the storage is as it was; only the files it was asked to write are new.
          const asked = outputOf(argv) ?? (command === "report" ? `sweep-${argv[1]}.html` : undefined);
          assert.deepEqual(changes.filter((c) => c !== `added ${asked}` && c !== `changed ${asked}`), [], what);
          assert.deepEqual(records, [], what);
          return;
        }
        assert.equal(r.stdout, "", what);
        assert.deepEqual(changes, [], what);
        assert.deepEqual(records, [], `a trainer started: ${what}`);
      } finally {
        if (changes.length > 0 || records.length > 0) ws.restore();
      }
    }),
    { numRuns: Number(process.env.SWEEP_CLI_PROPERTY_RUNS ?? 200), includeErrorInReport: true },
  );
  if (process.env.SWEEP_CLI_PROPERTY_STATS) process.stderr.write(`outcomes: ${JSON.stringify([...outcomes].sort((a, b) => a[0] - b[0]))}\n`);
  // The generator must reach both sides of the contract, or the property says little.
  assert.ok((outcomes.get(ExitCode.usage) ?? 0) > 0, `no usage error among ${JSON.stringify([...outcomes])}`);
  assert.ok((outcomes.get(ExitCode.ok) ?? 0) > 0, `no success among ${JSON.stringify([...outcomes])}`);
});
