/**
 * Several agent processes — standing in for hosts — share one PostgreSQL sweep (pg-agent-worker.ts in child
 * `node` processes, a real server from pg-server.ts, nothing mocked). One host dies mid-trial (SIGKILL), one
 * freezes past the grace period and wakes up later (SIGSTOP / SIGCONT, as a partitioned or suspended
 * machine would). Every trial must still be completed exactly once, by a live agent, with one result.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { after, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { openStorage, type TrialReclaimedData } from "../../src/storage/index.js";
import type { AgentMessage, AgentTask } from "./pg-agent-worker.js";
import { POSTGRES_MISSING, startPgServer } from "./pg-server.js";

const workerModule = pathToFileURL(join(dirname(fileURLToPath(import.meta.url)), "pg-agent-worker.js")).href;

type Tagged = AgentMessage & { readonly from: string };

interface Agent {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/** Every message any agent printed, in arrival order, and a way to wait for one. */
class Inbox {
  readonly messages: Tagged[] = [];
  private waiters: { match: (m: Tagged) => boolean; resolve: (m: Tagged) => void }[] = [];

  push(message: Tagged): void {
    this.messages.push(message);
    this.waiters = this.waiters.filter((w) => (w.match(message) ? (w.resolve(message), false) : true));
  }

  /** The first message, already received or still to come, that `match`es. */
  waitFor(match: (m: Tagged) => boolean, what: string, timeoutMs = 15_000): Promise<Tagged> {
    const seen = this.messages.find(match);
    return seen !== undefined ? Promise.resolve(seen) : this.waitForNext(match, what, timeoutMs);
  }

  /** The first message from now on that `match`es. */
  waitForNext(match: (m: Tagged) => boolean, what: string, timeoutMs = 15_000): Promise<Tagged> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }
}

function startAgent(task: AgentTask, inbox: Inbox): Agent {
  const code = `import(${JSON.stringify(workerModule)}).then((m) => m.main(JSON.parse(process.argv[1])))`;
  const child = spawn(process.execPath, ["--input-type=module", "-e", code, JSON.stringify(task)], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  createInterface({ input: child.stdout! }).on("line", (line) =>
    inbox.push({ ...(JSON.parse(line) as AgentMessage), from: task.worker }),
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("close", (exitCode, signal) => resolve({ code: exitCode, signal, stderr })),
  );
  return { name: task.worker, child, exited };
}

const is =
  <K extends string>(key: K) =>
  (m: Tagged): m is Tagged & Record<K, unknown> =>
    key in m;

const server = await startPgServer();
if (server !== null) after(() => server.stop());

test(
  "four hosts share one sweep: one killed and one frozen mid-trial, every trial completed exactly once",
  { skip: server === null ? POSTGRES_MISSING : false, timeout: 60_000 },
  async (t) => {
    assert.ok(server !== null);
    const url = await server.freshSchema();
    const setup = await openStorage(url);
    const sweep = await setup.createSweep({ name: "multi-host", configRaw: "run_cap: 12\n", config: { run_cap: 12 } });
    const runCap = 12;
    const timing = { steps: 3, stepMs: 100, heartbeatMs: 100, graceMs: 1000 };

    const inbox = new Inbox();
    const agents = ["host-a", "host-b", "host-c", "host-d"].map((worker) =>
      startAgent({ url, sweepId: sweep.id, worker, maxTrials: runCap, ...timing }, inbox),
    );
    // Whatever happens below, no agent outlives the test (a frozen one would never exit by itself).
    t.after(() => {
      for (const agent of agents) if (agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill("SIGKILL");
    });
    const [victim, sleeper] = [agents[0]!, agents[1]!];
    for (const agent of agents) await inbox.waitFor((m) => m.from === agent.name && "ready" in m, `${agent.name} ready`);
    const started = Date.now();
    for (const agent of agents) agent.child.stdin!.end("go\n");

    // Each victim is hit right after the first step of a trial: two more steps (200 ms) before it would finish.
    const firstStepOf = (host: string) => (m: Tagged) => m.from === host && "step" in m && m.step === 0;
    const finishedBy = (trialId: number, host: string) =>
      inbox.messages.some((m) => m.from === host && "finished" in m && m.finished === trialId);

    // host-a dies mid-trial: no finish, no more heartbeats.
    const killedTrialId = ((await inbox.waitForNext(firstStepOf(victim.name), "a step from host-a")) as Extract<Tagged, { step: number }>).trialId;
    victim.child.kill("SIGKILL");
    assert.ok(!finishedBy(killedTrialId, victim.name), "host-a was killed before finishing its trial");

    // host-b freezes mid-trial, stays frozen until another host has completed that trial, then wakes up.
    const frozenTrialId = ((await inbox.waitForNext(firstStepOf(sleeper.name), "a step from host-b")) as Extract<Tagged, { step: number }>).trialId;
    sleeper.child.kill("SIGSTOP");
    assert.ok(!finishedBy(frozenTrialId, sleeper.name), "host-b was frozen before finishing its trial");
    await inbox.waitFor(
      (m) => "finished" in m && m.finished === frozenTrialId && m.applied && m.from !== sleeper.name,
      `host-b's trial completed by another host`,
    );
    sleeper.child.kill("SIGCONT");

    const results = await Promise.all(agents.map((agent) => agent.exited));
    const elapsedMs = Date.now() - started;
    assert.equal(results[0]!.signal, "SIGKILL");
    for (const [i, result] of results.entries()) {
      if (i === 0) continue;
      assert.equal(result.code, 0, `${agents[i]!.name} failed:\n${result.stderr}`);
    }

    // Every trial number exists once and is completed, each with exactly one result that counted.
    const trials = await setup.listTrials(sweep.id);
    assert.deepEqual(
      trials.map((t) => t.number),
      Array.from({ length: runCap }, (_, i) => i),
    );
    const finishes = inbox.messages.filter(is("finished")) as Extract<Tagged, { finished: number }>[];
    for (const trial of trials) {
      assert.equal(trial.status, "completed", `trial ${trial.number}`);
      assert.equal(trial.value, trial.number);
      const applied = finishes.filter((f) => f.finished === trial.id && f.applied);
      assert.equal(applied.length, 1, `trial ${trial.number} has ${applied.length} results that counted`);
      assert.equal(applied[0]!.from, trial.worker);
      assert.equal(applied[0]!.attempt, trial.attempt);
      const curve = await setup.listIntermediates({ trialId: trial.id, name: "loss" });
      assert.deepEqual(
        curve.map((r) => [r.attempt, r.step]),
        [0, 1, 2].map((step) => [trial.attempt, step]),
        `trial ${trial.number} has one full curve from its last attempt`,
      );
    }

    // The dead and the frozen host's trials were reclaimed once each, re-run elsewhere as attempt 2.
    const killed = trials.find((t) => t.id === killedTrialId)!;
    const thawed = trials.find((t) => t.id === frozenTrialId)!;
    for (const [trial, host] of [
      [killed, victim.name],
      [thawed, sleeper.name],
    ] as const) {
      assert.equal(trial.attempt, 2, `trial ${trial.number} of ${host}`);
      assert.notEqual(trial.worker, host);
    }
    assert.deepEqual(
      trials.filter((t) => t.attempt > 1).map((t) => t.id).sort(),
      [killed.id, thawed.id].sort(),
      "no live host lost a trial",
    );
    const reclaimEvents = (await setup.listEvents(sweep.id)).filter((e) => e.kind === "trial_reclaimed");
    assert.deepEqual(
      reclaimEvents.map((e) => [e.trialId, (e.data as TrialReclaimedData).worker]).sort(),
      [
        [killed.id, victim.name],
        [thawed.id, sleeper.name],
      ].sort(),
    );
    // The frozen host woke up, finished its trial anyway, and was told its result no longer counted.
    const lateFinish = finishes.find((f) => f.from === sleeper.name && f.finished === thawed.id);
    assert.deepEqual(lateFinish && [lateFinish.attempt, lateFinish.applied], [1, false]);

    t.diagnostic(`${runCap} trials on 4 hosts (1 killed, 1 frozen) in ${elapsedMs} ms, grace ${timing.graceMs} ms`);
    await setup.close();
  },
);
