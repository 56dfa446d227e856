/**
 * `sweep wandb -- python train.py`: runs a W&B script that creates its own sweep (`wandb.sweep(config)`) and
 * runs it in-script (`wandb.agent(sweep_id, function=train, count=N)`), unchanged and offline.
 *
 * The script runs once as the *driver*: a child process with the `wandb` shim first on PYTHONPATH and a
 * control channel (a unix socket named by SWEEP_WANDB_CONTROL). Its `wandb.sweep()` sends the config here;
 * it is validated like a sweep file and stored (or, when the same script runs again with the same config,
 * the sweep it created before is found again). Its `wandb.agent()` asks for N trials, which the ordinary
 * controller (the one behind `sweep run`) runs: each trial re-executes the same script, with the same argv,
 * as a trainer process pinned to its GPUs, where the shim is in trial mode (`wandb.agent` calls `function`
 * once with that trial's `wandb.config`, then the process exits). Hyperband stops a trial by stopping its
 * process; everything lands in the storage, so `sweep best`, `sweep show` and `sweep resume` work on it.
 *
 * Why processes and not threads in the driver: a trial must be pinned to its GPUs (CUDA_VISIBLE_DEVICES is
 * read once per process), must be killable without taking the others down, and must run again after a
 * crash (`sweep resume` re-runs the stored command). W&B runs `function` inside its agent process; re-running
 * the script costs its module-level work once per trial.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { constants, tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { ConfigError, parseSweepConfig } from "../config/index.js";
import type { SweepConfig, SweepSettings } from "../config/types.js";
import { ExitCode, type ExitCodeValue } from "../exit-codes.js";
import type { Storage, SweepRecord } from "../storage/types.js";
import { Sweep } from "../study/index.js";
import type { SweepController } from "./controller.js";
import { pythonClientDir, wandbShimDir } from "./package-paths.js";
import { joinSweep, resumeSweep, type RunnerFlags, type SessionIo } from "./session.js";

/** Environment variable naming the control socket; its presence puts the shim in driver mode. */
export const CONTROL_ENV = "SWEEP_WANDB_CONTROL";

/** Label of the config in diagnostics (the config has no file). */
export const WANDB_SWEEP_SOURCE = "wandb.sweep(config)";

export interface WandbDriverOptions {
  /** The script's command line, e.g. `["python", "train.py", "--data", "x"]`; trials run exactly this. */
  readonly argv: readonly string[];
  readonly storage: Storage;
  /** Runner flags for every `wandb.agent()` call; `count` (the `--count` flag) overrides `agent(count=)`. */
  readonly flags: RunnerFlags;
  /** Settings stored with a sweep created here (flags such as --gpus, --seed), over the config's own. */
  readonly settings?: Partial<SweepSettings>;
  readonly io: Omit<SessionIo, "onController" | "handleSignals">;
  /** Unknown keys in the config are warnings (as the W&B service treats them). */
  readonly lenient?: boolean;
  /** Create a new sweep even when this script created one with the same config before. */
  readonly newSweep?: boolean;
  /** Where the notices of `sweep wandb` itself go (default process.stderr). */
  readonly stderr?: { write(text: string): unknown };
  /** Install SIGINT/SIGTERM handlers (default true; tests driving it in-process may say false). */
  readonly handleSignals?: boolean;
}

export interface WandbDriverResult {
  readonly exitCode: number;
  /** The sweep the script created or found again (null if it never called wandb.sweep()). */
  readonly sweepId: string | null;
  /** How the driver process ended. */
  readonly driverExit: { readonly code: number | null; readonly signal: NodeJS.Signals | null };
}

/** A reply to the driver: `ok` with data, or a failure whose story `sweep wandb` has already printed. */
type Reply = { readonly ok: true; readonly [key: string]: unknown } | { readonly ok: false; readonly exit_code: number; readonly error: string };

interface SweepRequest {
  readonly op: "sweep";
  readonly config: string;
  readonly project?: string | null;
  readonly entity?: string | null;
}

interface AgentRequest {
  readonly op: "agent";
  readonly sweep_id: string;
  readonly count?: number | null;
}

/** A problem with the script or its calls, with the documented exit code it stands for. */
export class WandbDriverError extends Error {
  override readonly name = "WandbDriverError";
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
  ) {
    super(message);
  }
}

export async function runWandbDriver(options: WandbDriverOptions): Promise<WandbDriverResult> {
  if (options.argv.length === 0) throw new WandbDriverError("give the script to run after `--`, e.g. `sweep wandb -- python train.py`", ExitCode.usage);
  const macro = options.argv.find((token) => token.includes("${"));
  if (macro !== undefined) {
    // Trials run the stored command, whose ${...} tokens would be expanded as W&B macros.
    throw new WandbDriverError(`the script's command line holds ${JSON.stringify(macro)}; "\${" would be read as a W&B command macro in each trial`, ExitCode.usage);
  }
  return new WandbDriver(options).run();
}

class WandbDriver {
  private readonly stderr: { write(text: string): unknown };
  private readonly baseEnv: NodeJS.ProcessEnv;
  private child: ChildProcess | null = null;
  private controller: SweepController | null = null;
  /** The sweep of this script run; a script runs one sweep (its trials re-run the script, see the docs). */
  private sweepId: string | null = null;
  private createdHere = false;
  private resumed = false;
  private readonly agentCodes: number[] = [];
  private fatal: number | null = null;
  private internal: unknown = null;
  private stopped: "interrupted" | "terminated" | null = null;
  private driverGone = false;
  private agentCalls = 0;

  constructor(private readonly opts: WandbDriverOptions) {
    this.stderr = opts.stderr ?? process.stderr;
    this.baseEnv = opts.io.env ?? process.env;
  }

  async run(): Promise<WandbDriverResult> {
    const dir = mkdtempSync(join(tmpdir(), "sweep-wandb-"));
    const socketPath = join(dir, "control.sock");
    const pending = new Set<Promise<void>>();
    const server = createServer((socket) => this.serve(socket, pending));
    const removeSignals = this.opts.handleSignals === false ? () => undefined : this.installSignals();
    try {
      await listen(server, socketPath);
      const driverExit = await this.startDriver(socketPath);
      this.driverGone = true;
      // The driver is gone; a wandb.agent() still running keeps its trials, but starts no new one.
      if (this.controller !== null && this.stopped === null) this.controller.interrupt();
      while (pending.size > 0) await Promise.all([...pending]);
      if (this.internal !== null) throw this.internal;
      if (this.agentCalls === 0 && this.fatal === null && driverExit.code === 0) {
        const what = this.sweepId === null ? "neither wandb.sweep() nor wandb.agent()" : "no wandb.agent(function=...)";
        this.note(`the script called ${what}, so no trial ran; \`sweep wandb\` is for scripts that create and run their sweep in-script (for a sweep file, use \`sweep run FILE --wandb-shim\`; docs/wandb-compat.md)`);
      }
      return { exitCode: this.exitCode(driverExit), sweepId: this.sweepId, driverExit };
    } finally {
      removeSignals();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private exitCode(driverExit: { code: number | null; signal: NodeJS.Signals | null }): number {
    if (this.fatal !== null) return this.fatal;
    for (const code of [ExitCode.terminated, ExitCode.interrupted, ExitCode.trainerBroken, ExitCode.trialsFailed]) {
      if (this.agentCodes.includes(code)) return code;
    }
    if (driverExit.signal !== null) return 128 + (constants.signals[driverExit.signal] ?? 0);
    return driverExit.code ?? ExitCode.internal;
  }

  private startDriver(socketPath: string): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    const [file, ...args] = this.opts.argv;
    const env: NodeJS.ProcessEnv = { ...this.baseEnv };
    // A `sweep wandb` started from inside a trial must not look like that trial to the shim.
    for (const key of Object.keys(env)) if (/^SWEEP_(TRIAL_|ID$|PARAMS|METRICS_FD$|RESUME$|GPUS$)/.test(key)) delete env[key];
    env[CONTROL_ENV] = socketPath;
    env.PYTHONPATH = [wandbShimDir, pythonClientDir, ...(this.baseEnv.PYTHONPATH ? [this.baseEnv.PYTHONPATH] : [])].join(delimiter);
    env.PYTHONUNBUFFERED = "1";
    // The driver trains nothing: module-level code must not take GPU memory the trials need.
    env.CUDA_VISIBLE_DEVICES = "";
    return new Promise((resolve, reject) => {
      const child = spawn(file!, args, { cwd: this.opts.io.cwd ?? process.cwd(), env, stdio: ["inherit", "inherit", "inherit"] });
      this.child = child;
      child.once("error", (err: NodeJS.ErrnoException) => {
        const hint = err.code === "ENOENT" ? ` (is ${JSON.stringify(file)} installed and on PATH?)` : "";
        reject(new WandbDriverError(`could not start ${JSON.stringify(file)}: ${err.code ?? err.message}${hint}`, ExitCode.usage));
      });
      child.once("exit", (code, signal) => resolve({ code, signal }));
    });
  }

  /** Ctrl-C reaches the driver itself (its own KeyboardInterrupt) and, while trials run, the controller. */
  private installSignals(): () => void {
    const onInt = () => {
      this.controller?.interrupt();
    };
    const onTerm = () => {
      this.fatal ??= ExitCode.terminated;
      this.controller?.terminate();
      this.child?.kill("SIGTERM");
    };
    process.on("SIGINT", onInt);
    process.on("SIGTERM", onTerm);
    return () => {
      process.off("SIGINT", onInt);
      process.off("SIGTERM", onTerm);
    };
  }

  /** Requests of one connection, answered one at a time in order. */
  private serve(socket: Socket, pending: Set<Promise<void>>): void {
    let buffer = "";
    let chain: Promise<void> = Promise.resolve();
    socket.setEncoding("utf8");
    socket.on("error", () => undefined);
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const work = chain
          .then(async () => {
            const reply = await this.answer(line);
            if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
          })
          .catch(() => undefined);
        chain = work;
        pending.add(work);
        void work.then(() => pending.delete(work));
      }
    });
  }

  private async answer(line: string): Promise<Reply> {
    try {
      const request = JSON.parse(line) as SweepRequest | AgentRequest;
      if (request.op === "sweep") return await this.onSweep(request);
      if (request.op === "agent") return await this.onAgent(request);
      throw new Error(`unknown request ${JSON.stringify(line.slice(0, 200))} from the driver`);
    } catch (err) {
      if (err instanceof WandbDriverError) {
        this.note(err.message);
        this.fatal ??= err.exitCode;
        return { ok: false, exit_code: err.exitCode, error: err.message };
      }
      if (err instanceof ConfigError) {
        this.stderr.write(`sweep: ${err.message}\n`);
        this.fatal ??= ExitCode.invalidConfig;
        return { ok: false, exit_code: ExitCode.invalidConfig, error: "invalid sweep config" };
      }
      // Anything else (storage unusable, bad --gpus, a bug) is reported by the CLI as for `sweep run`.
      this.internal ??= err;
      return { ok: false, exit_code: ExitCode.internal, error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** wandb.sweep(config, project=, entity=): validate, then create the sweep or find this script's earlier one. */
  private async onSweep(request: SweepRequest): Promise<Reply> {
    const resolved = parseSweepConfig(request.config, { format: "json", file: WANDB_SWEEP_SOURCE, lenient: this.opts.lenient ?? false });
    for (const w of resolved.warnings) this.stderr.write(`warning: ${w.path ? `${w.path}: ` : ""}${w.message}\n`);
    const config = this.driverConfig(resolved.config, request);
    const storage = this.opts.storage;

    const existing = this.opts.newSweep ? undefined : await findEarlierSweep(storage, request.config, config);
    const id = existing?.id ?? null;
    if (this.sweepId !== null) {
      if (id === this.sweepId) return { ok: true, id, reused: true };
      throw new WandbDriverError(
        `this script already created sweep ${this.sweepId}; \`sweep wandb\` runs one sweep per script run, because each trial re-runs the script ` +
          "and finds its sweep by the first wandb.sweep() call (docs/wandb-compat.md)",
        ExitCode.usage,
      );
    }
    if (existing !== undefined) {
      this.sweepId = existing.id;
      this.note(`sweep ${existing.id}: found again (the same wandb.sweep() config, project and command, created ${existing.createdAt}); it continues. --new-sweep starts a fresh one`);
      return { ok: true, id: existing.id, reused: true };
    }
    const sweep = await Sweep.create(storage, { ...resolved, config });
    await storage.addEvent(sweep.id, "created_by_wandb_sweep", { argv: this.opts.argv, cwd: this.opts.io.cwd ?? process.cwd() });
    this.sweepId = sweep.id;
    this.createdHere = true;
    this.note(`sweep ${sweep.id}: created by wandb.sweep() in ${storage.location}`);
    return { ok: true, id: sweep.id, reused: false };
  }

  /** The stored config: trials re-run this script (program/command of the config are for `wandb agent` CLI runs). */
  private driverConfig(config: SweepConfig, request: SweepRequest): SweepConfig {
    const { program, command, ...rest } = config;
    if (program !== undefined || command !== undefined) {
      this.note('the config\'s "program"/"command" are not used: with wandb.agent(function=...) every trial runs this script');
    }
    const project = request.project ?? rest.project;
    const entity = request.entity ?? rest.entity;
    return {
      ...rest,
      ...(project ? { project } : {}),
      ...(entity ? { entity } : {}),
      command: [...this.opts.argv],
      sweep: { ...rest.sweep, ...definedOnly(this.opts.settings ?? {}), wandbShim: true },
    };
  }

  /** wandb.agent(sweep_id, function=..., count=N): N trials through the controller, then answer. */
  private async onAgent(request: AgentRequest): Promise<Reply> {
    this.agentCalls++;
    if (this.stopped !== null || this.driverGone) return { ok: true, stopped: this.stopped ?? "interrupted", exit_code: ExitCode.interrupted };
    const storage = this.opts.storage;
    const id = String(request.sweep_id).split("/").pop() ?? "";
    const record = await storage.getSweep(id);
    if (record === null) {
      throw new WandbDriverError(`wandb.agent(${JSON.stringify(request.sweep_id)}): no sweep '${id}' in ${storage.location}`, ExitCode.notFound);
    }
    const stored = storedConfig(record);
    if (!sameArgv(stored?.command, this.opts.argv)) {
      throw new WandbDriverError(
        `wandb.agent(${JSON.stringify(request.sweep_id)}, function=...) runs each trial by re-running this script, but sweep ${id} ` +
          `was created for ${JSON.stringify(stored?.command ?? stored?.program ?? "another program")}; run it with \`sweep agent ${id}\``,
        ExitCode.usage,
      );
    }
    const count = this.opts.flags.count ?? (request.count ?? undefined);
    const flags: RunnerFlags = { ...this.opts.flags, count };
    const io: SessionIo = { ...this.opts.io, handleSignals: false, onController: (c) => (this.controller = c) };
    // A sweep found again continues as `sweep resume` would: interrupted trials run again, a stopped sweep reopens.
    const resume = !this.createdHere && !this.resumed && id === this.sweepId;
    if (resume) this.resumed = true;
    let summary;
    try {
      summary = resume ? await resumeSweep(storage, id, flags, io) : await joinSweep(storage, id, flags, io);
    } finally {
      this.controller = null;
    }
    this.agentCodes.push(summary.exitCode);
    if (summary.exitCode === ExitCode.interrupted) this.stopped = "interrupted";
    if (summary.exitCode === ExitCode.terminated) this.stopped = "terminated";
    return {
      ok: true,
      sweep_id: id,
      exit_code: summary.exitCode,
      reason: summary.reason,
      launched: summary.launched,
      counts: summary.tally.counts,
      ...(this.stopped !== null ? { stopped: this.stopped } : {}),
    };
  }

  private note(message: string): void {
    this.stderr.write(`sweep: ${message}\n`);
  }
}

function storedConfig(record: SweepRecord): SweepConfig | undefined {
  return (record.config as { config?: SweepConfig } | null)?.config;
}

function sameArgv(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((token, i) => token === b[i]);
}

/** The latest sweep this script created from the same config text, project and entity, or undefined. */
async function findEarlierSweep(storage: Storage, raw: string, config: SweepConfig): Promise<SweepRecord | undefined> {
  let found: SweepRecord | undefined;
  for (const record of await storage.listSweeps()) {
    if (record.configRaw !== raw) continue;
    const stored = storedConfig(record);
    if (stored === undefined || !sameArgv(stored.command, config.command ?? [])) continue;
    if (stored.project !== config.project || stored.entity !== config.entity) continue;
    found = record;
  }
  return found;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

