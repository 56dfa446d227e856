/**
 * A real, throw-away single-node Slurm cluster for tests: Debian's `slurm-wlm` and `munge` binaries, every
 * file in one temp folder (munge key and socket, slurm.conf, gres.conf, state, spool, logs), ports nothing
 * else uses, the daemons run as root (SlurmUser=root) with `-f` pointing at our slurm.conf, and clients
 * reach it through SLURM_CONF (which also names our munge socket: AuthInfo=socket=...).
 *
 * The node has 4 "GPUs": gres.conf (AutoDetect=off) points at placeholder character devices in the temp
 * folder (slurmd insists on character devices), so Slurm hands out and accounts for GPUs exactly as on a
 * real node, setting CUDA_VISIBLE_DEVICES and SLURM_JOB_GPUS in each job; the fake nvidia-smi
 * (test/fixtures/nvidia-smi) lists the same 4 GPUs to the workers.
 *
 * `stop()` cancels the cluster's jobs, then ends only the daemons this helper started, by the pids they
 * wrote, and deletes the folder; a process exit (or a kill of the test) does the same through a watchdog.
 */
import { execFile, spawn, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { ephemeralPort } from "../../src/runner/ports.js";

/** Why the Slurm tests are skipped, or null when they can run here. */
export function slurmMissing(): string | null {
  const needed = ["/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/bin/squeue", "/usr/bin/scancel", "/usr/bin/sinfo"];
  const absent = needed.filter((p) => !existsSync(p));
  if (absent.length > 0) return `Slurm is not installed (${absent.join(", ")} missing): apt-get install slurm-wlm munge`;
  if (process.getuid?.() !== 0) return "the single-node Slurm test cluster runs its daemons as root (SlurmUser=root); run the tests as root";
  return null;
}

export interface SlurmCluster {
  readonly dir: string;
  readonly node: string;
  /** Environment for Slurm clients (sbatch, squeue, scancel, sinfo, and `sweep slurm`): SLURM_CONF. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** A Slurm command against this cluster; resolves to its stdout (rejects with its stderr). */
  run(tool: string, args: readonly string[]): Promise<string>;
  /** `squeue -h -r -t all -j JOB -o %i|%T`: each array task's state, by task id (`12_3`). */
  tasks(jobId: string): Promise<Map<string, string>>;
  /** The last lines of slurmctld's and slurmd's logs, for a failing test's message. */
  logs(lines?: number): string;
  stop(): Promise<void>;
}


function exec(file: string, args: readonly string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { env, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err === null) resolve(stdout);
      else reject(new Error(`${file} ${args.join(" ")} failed: ${err.message}\n${stdout}${stderr}`));
    });
  });
}

function readPid(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, log = ""): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${log ? `\n${log}` : ""}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Starts munged, slurmctld and slurmd; null when Slurm cannot run here (callers skip with slurmMissing()). */
export async function startSlurmCluster(): Promise<SlurmCluster | null> {
  if (slurmMissing() !== null) return null;
  const dir = mkdtempSync(join(tmpdir(), "sweep-slurm-"));
  chmodSync(dir, 0o755); // munged wants the folders on its socket's path searchable by all
  const node = hostname().split(".")[0]!;
  const files = {
    mungeKey: join(dir, "munge", "munge.key"),
    mungeSocket: join(dir, "munge", "socket"),
    mungePid: join(dir, "munge", "munged.pid"),
    conf: join(dir, "slurm.conf"),
    ctldPid: join(dir, "slurmctld.pid"),
    slurmdPid: join(dir, "slurmd.pid"),
    log: join(dir, "log"),
  };
  const pidFiles = [files.slurmdPid, files.ctldPid, files.mungePid];
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, SLURM_CONF: files.conf, ...extra });

  /** Ends the daemons we started (by their pid files), SIGTERM first, then SIGKILL; deletes the folder. */
  const killDaemonsSync = () => {
    for (const file of pidFiles) {
      const pid = readPid(file);
      if (pid !== null && alive(pid)) process.kill(pid, "SIGTERM");
    }
    const deadline = Date.now() + 5_000;
    for (const file of pidFiles) {
      const pid = readPid(file);
      while (pid !== null && alive(pid) && Date.now() < deadline) spawnSync("sleep", ["0.1"]);
      if (pid !== null && alive(pid)) process.kill(pid, "SIGKILL");
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const onExit = () => killDaemonsSync();
  const logs = (lines = 15) =>
    ["slurmctld.log", "slurmd.log"]
      .map((f) => (existsSync(join(files.log, f)) ? `--- ${f}\n${readFileSync(join(files.log, f), "utf8").split("\n").slice(-lines).join("\n")}` : ""))
      .join("\n");
  let watchdog: ReturnType<typeof spawn> | null = null;

  try {
    for (const sub of ["munge", "state", "spool", "log", "dev"]) mkdirSync(join(dir, sub), { mode: 0o700 });
    chmodSync(join(dir, "munge"), 0o711);
    writeFileSync(files.mungeKey, randomBytes(1024), { mode: 0o400 });
    // Placeholder GPU devices: character devices (1,3 is /dev/null's), which slurmd requires of gres File=.
    for (let i = 0; i < 4; i++) spawnSync("mknod", [join(dir, "dev", `gpu${i}`), "c", "1", "3"]);
    if (!existsSync(join(dir, "dev", "gpu0"))) throw new Error("mknod could not create the placeholder GPU devices (a container without CAP_MKNOD?)");

    const [ctldPort, slurmdPort] = [await ephemeralPort(), await ephemeralPort()];
    const cpuCount = Math.max(1, cpus().length);
    writeFileSync(
      files.conf,
      [
        "ClusterName=sweeptest",
        `SlurmctldHost=${node}(127.0.0.1)`,
        "SlurmUser=root",
        "SlurmdUser=root",
        "AuthType=auth/munge",
        "CredType=cred/munge",
        `AuthInfo=socket=${files.mungeSocket}`,
        `SlurmctldPort=${ctldPort}`,
        `SlurmdPort=${slurmdPort}`,
        `StateSaveLocation=${join(dir, "state")}`,
        `SlurmdSpoolDir=${join(dir, "spool")}`,
        `SlurmctldPidFile=${files.ctldPid}`,
        `SlurmdPidFile=${files.slurmdPid}`,
        `SlurmctldLogFile=${join(files.log, "slurmctld.log")}`,
        `SlurmdLogFile=${join(files.log, "slurmd.log")}`,
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core",
        "GresTypes=gpu",
        "MpiDefault=none",
        "ReturnToService=2",
        "SchedulerType=sched/backfill",
        "JobAcctGatherType=jobacct_gather/none",
        "AccountingStorageType=accounting_storage/none",
        "MailProg=/bin/true",
        // Short waits: scancel's SIGTERM-to-SIGKILL, and how long finished jobs stay visible to squeue.
        "KillWait=5",
        "MinJobAge=600",
        "SlurmctldTimeout=30",
        "SlurmdTimeout=60",
        "SlurmctldDebug=verbose",
        "SlurmdDebug=verbose",
        "InactiveLimit=0",
        `NodeName=${node} NodeAddr=127.0.0.1 CPUs=${cpuCount} RealMemory=1000 Gres=gpu:4 State=UNKNOWN`,
        // FORCE: four one-GPU tasks share this machine's few cores, as they would share a real node's many.
        `PartitionName=debug Nodes=${node} Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:8`,
        "",
      ].join("\n"),
    );
    writeFileSync(join(dir, "gres.conf"), `AutoDetect=off\nNodeName=${node} Name=gpu File=${join(dir, "dev", "gpu")}[0-3]\n`);

    process.once("exit", onExit);
    watchdog = startWatchdog(pidFiles, dir);
    await exec(
      "/usr/sbin/munged",
      [`--socket=${files.mungeSocket}`, `--key-file=${files.mungeKey}`, `--pid-file=${files.mungePid}`, `--log-file=${join(files.log, "munged.log")}`, `--seed-file=${join(dir, "munge", "seed")}`, "--force"],
      env(),
    );
    await exec("/usr/sbin/slurmctld", ["-f", files.conf], env());
    await exec("/usr/sbin/slurmd", ["-f", files.conf], env());
    await until(
      "the Slurm node to become idle",
      async () => /^idle/.test((await exec("/usr/bin/sinfo", ["-h", "-N", "-o", "%T"], env()).catch(() => "")).trim()),
      60_000,
      logs(),
    );
  } catch (err) {
    watchdog?.kill();
    process.removeListener("exit", onExit);
    killDaemonsSync();
    throw err;
  }

  const run = (tool: string, args: readonly string[]) => exec(tool, args, env());
  return {
    dir,
    node,
    env,
    run,
    logs,
    async tasks(jobId) {
      const out = await run("squeue", ["-h", "-r", "-t", "all", "-j", jobId, "-o", "%i|%T"]).catch(() => "");
      return new Map(
        out
          .split("\n")
          .filter((l) => l.includes("|"))
          .map((l) => l.trim().split("|") as [string, string]),
      );
    },
    async stop() {
      // Jobs first: slurmstepd processes outlive slurmd, so every job of this cluster is cancelled and waited for.
      await run("scancel", ["--full", "--state=PENDING"]).catch(() => undefined);
      const all = await run("squeue", ["-h", "-o", "%A"]).catch(() => "");
      const ids = [...new Set(all.split("\n").map((l) => l.trim()).filter((l) => /^\d+$/.test(l)))];
      if (ids.length > 0) await run("scancel", ids).catch(() => undefined);
      await until("the cluster's jobs to end", async () => (await run("squeue", ["-h", "-o", "%A"]).catch(() => "")).trim() === "", 60_000).catch(() => undefined);
      watchdog?.kill();
      process.removeListener("exit", onExit);
      // For a look after the run (a test that failed on a loaded machine): SLURM_TEST_KEEP_LOGS=folder.
      const keep = process.env.SLURM_TEST_KEEP_LOGS;
      if (keep) cpSync(files.log, join(keep, `${dir.split("/").pop()}-log`), { recursive: true });
      killDaemonsSync();
    },
  };
}

/** A shell that waits for this process to go away, then ends the daemons by their pid files. */
function startWatchdog(pidFiles: readonly string[], dir: string): ReturnType<typeof spawn> {
  const script =
    'parent=$1; dir=$2; shift 2; while kill -0 "$parent" 2>/dev/null; do sleep 1; done; ' +
    'for f in "$@"; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done; sleep 2; ' +
    'for f in "$@"; do [ -f "$f" ] && kill -9 "$(cat "$f")" 2>/dev/null; done; rm -rf "$dir"';
  const child = spawn("sh", ["-c", script, "sh", String(process.pid), dir, ...pidFiles], { detached: true, stdio: "ignore" });
  child.unref();
  return child;
}
