/**
 * The pieces of the CLI contract that need no process: how failures map to exit codes and messages, how
 * yargs' usage messages are said, and the readers of option values.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { ConfigError } from "../../src/config/index.js";
import { describeFailure, UsageError, withLogPath } from "../../src/cli/errors.js";
import { checkWritableFile, duration, text, wholeNumber } from "../../src/cli/flags.js";
import { allCommands } from "../../src/cli/options.js";
import { explainUsage } from "../../src/cli/usage.js";
import { GpuSelectionError } from "../../src/runner/gpus.js";
import { SlotPlanError } from "../../src/runner/slots.js";
import { StorageError } from "../../src/storage/errors.js";
import { SweepNotFoundError } from "../../src/study/index.js";
import { ExitCode } from "../../src/exit-codes.js";

const run = allCommands().get("run")!;

describe("describeFailure", () => {
  test("errors a user can cause map to their documented codes, without a stack trace", () => {
    const cases: [unknown, number][] = [
      [new UsageError("--count needs a value"), ExitCode.usage],
      [new GpuSelectionError('--gpus "5" names GPU "5", which does not exist'), ExitCode.usage],
      [new SlotPlanError("--gpus-per-trial 2 needs at least 2 GPUs"), ExitCode.usage],
      [new ConfigError([{ severity: "error", file: "a.yaml", line: 1, column: 1, path: "method", message: "bad" }]), ExitCode.invalidConfig],
      [new SweepNotFoundError("abc", "s.db"), ExitCode.notFound],
      [new StorageError("storage location '' is empty"), ExitCode.storageUnavailable],
    ];
    for (const [error, code] of cases) {
      const failure = describeFailure(error);
      assert.equal(failure.exitCode, code, String(error));
      assert.equal(failure.internal, false);
      assert.doesNotMatch(failure.message, /\n\s+at /);
    }
    assert.match(describeFailure(new SweepNotFoundError("abc", "s.db")).message, /`sweep ls --storage s.db` lists its sweeps/);
  });

  test("a bug is exit 1 with its stack and, when known, where the log is; user errors pass withLogPath unchanged", () => {
    const bug = describeFailure(withLogPath(new TypeError("x is undefined"), "the controller log /s/logs/controller-abc.log"));
    assert.equal(bug.exitCode, ExitCode.internal);
    assert.equal(bug.internal, true);
    assert.match(bug.message, /^internal error \(a bug in sweep; please report it with this message\): TypeError: x is undefined\n\s+at /);
    assert.match(bug.message, /\nsee also the controller log \/s\/logs\/controller-abc\.log$/);
    const usage = new UsageError("bad");
    assert.equal(withLogPath(usage, "anywhere"), usage);
  });
});

describe("explainUsage", () => {
  test("unknown options get a did-you-mean from the command's options; camelCase echoes are dropped", () => {
    const message = explainUsage("Unknown arguments: trails-per-gpu, trailsPerGpu, gpu", ["run", "f.yaml", "--trails-per-gpu", "2", "--gpu", "0"], run);
    assert.equal(message, "unknown options --trails-per-gpu (did you mean --trials-per-gpu?), --gpu (did you mean --gpus?)");
  });

  test("stray words are named with what the command takes", () => {
    assert.equal(explainUsage("Unknown argument: extra", ["run", "f.yaml", "extra"], run), 'unexpected argument "extra" (sweep run takes one <file>)');
    const ls = allCommands().get("ls")!;
    assert.equal(explainUsage("Unknown argument: x", ["ls", "x"], ls), 'unexpected argument "x" (sweep ls takes no arguments)');
  });

  test("an unknown command gets the nearest command", () => {
    assert.equal(explainUsage("Unknown argument: valdate", ["valdate", "x.yaml"], undefined), 'unknown command "valdate" (did you mean `sweep validate`?)');
    assert.match(explainUsage("Unknown argument: frobnicate", ["frobnicate"], undefined), /unknown command "frobnicate"; the commands are run, resume, agent/);
  });

  test("missing arguments and values, bad choices and conflicts are said plainly", () => {
    assert.equal(explainUsage("Not enough non-option arguments: got 0, need at least 1", ["run"], run), "sweep run needs <file> (usage: sweep run <file> [options])");
    assert.equal(explainUsage("Not enough arguments following: parallel", ["run", "f", "--parallel"], run), "--parallel needs a value");
    assert.equal(
      explainUsage('Invalid values:\n  Argument: objective, Given: "lsat", Choices: "last", "best"', ["run", "f", "--objective", "lsat"], run),
      '--objective "lsat" is not one of last, best (did you mean last?)',
    );
    assert.equal(explainUsage("Arguments quiet and json are mutually exclusive", ["run", "f", "--quiet", "--json"], run), "--quiet and --json cannot be used together");
    assert.equal(explainUsage("something new from yargs", [], run), "something new from yargs");
  });
});

describe("option readers", () => {
  test("whole numbers: decimal digits only, in range, and the message quotes what was given", () => {
    assert.equal(wholeNumber("4", "--parallel", { min: 1 }), 4);
    assert.equal(wholeNumber(" +4 ", "--parallel", { min: 1 }), 4);
    assert.equal(wholeNumber(undefined, "--parallel", { min: 1 }), undefined);
    for (const bad of ["abc", "1e3", "0x10", "1.5", "NaN", "Infinity", "", "4 4"]) {
      assert.throws(() => wholeNumber(bad, "--count", { min: 1 }), (e: unknown) => e instanceof UsageError && e.message.includes("--count"), bad);
    }
    assert.throws(() => wholeNumber("abc", "--count", { min: 1 }), /--count "abc" is not a whole number; expected a whole number of at least 1/);
    assert.throws(() => wholeNumber("0", "--count", { min: 1 }), /--count 0 is out of range/);
    assert.throws(() => wholeNumber("2000", "--parallel", { min: 1, max: 1024 }), /from 1 to 1024/);
    assert.throws(() => wholeNumber("99999999999999999999", "--seed", { min: 0 }), /out of range/);
  });

  test("a value given twice, or no value, is refused", () => {
    assert.throws(() => text(["1", "2"], "--gpus"), /--gpus was given 2 times \("1", "2"\); give it once/);
    assert.throws(() => text(false, "--gpus"), /--gpus needs a value/);
    assert.throws(() => text("  ", "--metric"), /--metric is empty/);
  });

  test("durations", () => {
    assert.equal(duration("90", "--trial-timeout"), 90);
    assert.equal(duration("1h30m", "--trial-timeout"), 5400);
    for (const bad of ["soon", "0", "0s", "-5", ""]) assert.throws(() => duration(bad, "--trial-timeout"), UsageError, bad);
    // Longer than a Node timer holds: it would fire at once and stop every trial as it starts.
    assert.equal(duration("24d", "--trial-timeout"), 24 * 86400);
    assert.throws(() => duration("25d", "--trial-timeout"), /--trial-timeout "25d" is too long; expected at most 24d/);
  });

  const dir = mkdtempSync(join(tmpdir(), "sweep-flags-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("an output file needs an existing, writable folder and must not be a folder", () => {
    checkWritableFile(join(dir, "new.html"), "-o");
    assert.throws(() => checkWritableFile(join(dir, "no", "such", "x.html"), "-o"), /the folder .*no\/such does not exist/);
    assert.throws(() => checkWritableFile(dir, "-o"), /is a folder/);
    const file = join(dir, "file.txt");
    writeFileSync(file, "a file, not a folder\n");
    assert.throws(() => checkWritableFile(join(file, "x.html"), "-o"), /file\.txt is not a folder/);
  });
});
