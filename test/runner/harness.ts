/**
 * Shared helpers for the runner integration tests: a temp workspace with a SQLite file, sweep files that
 * run the fake trainer, the fake nvidia-smi on PATH, and readers for what the trainers recorded.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseSweepConfig } from "../../src/config/index.js";
import { openStorage } from "../../src/storage/index.js";
import type { Storage, TrialRecord } from "../../src/storage/types.js";
import { fixturesDir } from "../helpers/paths.js";

export const fakeTrainer = join(fixturesDir, "fake-trainer.mjs");
export const pythonTrainer = join(fixturesDir, "fake_trainer.py");
export const driver = join(dirname(fileURLToPath(import.meta.url)), "cli-driver.js");

export interface TrainerRecord {
  pid: number;
  argv: string[];
  cuda: string | null;
  env: Record<string, string>;
  startedAt: number;
  endedAt?: number;
  grandchildPid: number | null;
  finished: boolean;
  number: number;
  attempt: number;
}

export class Workspace {
  readonly dir = mkdtempSync(join(tmpdir(), "sweep-runner-"));
  readonly records = join(this.dir, "records");
  readonly db = join(this.dir, "storage", "sweeps.db");

  constructor() {
    mkdirSync(this.records);
  }

  /** Environment for controllers: fake nvidia-smi first on PATH, trainer records in this workspace. */
  env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    // The GPU lease book is host-wide by design; each workspace gets its own so that tests running side by side
    // with the same fake GPUs do not wait for each other.
    return { ...process.env, PATH: `${fixturesDir}${delimiter}${process.env.PATH}`, FAKE_TRAINER_RECORD_DIR: this.records, SWEEP_LEASE_DIR: join(this.dir, "leases"), ...extra };
  }

  /** Writes a sweep file (YAML) running the fake trainer unless `program` is given. */
  sweepFile(name: string, body: string): string {
    const file = join(this.dir, `${name}.yaml`);
    const text = body.includes("program:") ? body : `program: ${fakeTrainer}\n${body}`;
    writeFileSync(file, text);
    return file;
  }

  resolved(body: string) {
    return parseSweepConfig(body.includes("program:") ? body : `program: ${fakeTrainer}\n${body}`);
  }

  openStorage(): Promise<Storage> {
    return openStorage(this.db);
  }

  trainerRecords(dir = this.records): TrainerRecord[] {
    return readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => {
        const [, number, attempt] = /trial-(\d+)-attempt-(\d+)/.exec(f)!;
        return { ...JSON.parse(readFileSync(join(dir, f), "utf8")), number: Number(number), attempt: Number(attempt) };
      })
      .sort((a, b) => a.number - b.number || a.attempt - b.attempt);
  }

  /** Spawns the CLI driver (`run`, `resume`, `agent`) as a real controller process. */
  spawnCli(args: string[], extraEnv: Record<string, string> = {}, opts: { storage?: string; prefix?: string[] } = {}): ControllerProcess {
    // `prefix` runs the driver through another program (unshare, to stand for another host).
    const argv = [process.execPath, driver, ...args, "--storage", opts.storage ?? this.db];
    const [file, ...rest] = [...(opts.prefix ?? []), ...argv] as [string, ...string[]];
    const child = spawn(file, rest, {
      cwd: this.dir,
      env: this.env(extraEnv),
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new ControllerProcess(child);
  }

  dispose(): void {
    // A test that failed half-way may leave trainers behind (they outlive a killed controller by design):
    // everything started from this workspace goes, found by the record folder in its environment.
    for (const pid of processesWithEnv(`FAKE_TRAINER_RECORD_DIR=${this.records}`)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class ControllerProcess {
  stdout = "";
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding("utf8").on("data", (d: string) => (this.stdout += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  }

  /** Resolves once the controller's stderr matches `pattern` (progress is line-per-event off a TTY). */
  async waitForOutput(pattern: RegExp, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.stderr)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; stderr so far:\n${this.stderr}`);
      if (this.child.exitCode !== null) throw new Error(`controller exited (${this.child.exitCode}) before ${pattern}; stderr:\n${this.stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Pids of live processes whose environment holds the exact `NAME=value` entry. */
export function processesWithEnv(entry: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, "utf8").split("\0").includes(entry)) found.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** Polls the storage until `predicate` holds for the sweep's trials. */
export async function waitForTrials(storage: Storage, sweepId: string, predicate: (trials: TrialRecord[]) => boolean, timeoutMs = 15_000): Promise<TrialRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const trials = await storage.listTrials(sweepId);
    if (predicate(trials)) return trials;
    if (Date.now() > deadline) throw new Error(`timed out; trials: ${JSON.stringify(trials.map((t) => [t.number, t.status]))}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The sweep id a controller printed in its first progress line. */
export function sweepIdFrom(stderr: string): string {
  const match = /sweep ([a-z0-9]{8})/.exec(stderr);
  if (!match) throw new Error(`no sweep id in:\n${stderr}`);
  return match[1]!;
}

export function pidAlive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  const state = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.[0];
  return state !== "Z" && state !== "X";
}

/** Collects what a reporter writes. */
export class Sink {
  text = "";
  write(t: string): boolean {
    this.text += t;
    return true;
  }
}
