/**
 * One "host" of postgres-multihost.test.ts: a child process that works a shared PostgreSQL sweep the way a
 * `sweep agent` does — reclaim trials of dead agents, claim, heartbeat while the trial runs, report steps and
 * the result tagged with the attempt — with a short sleep standing in for training. It only exports
 * functions (the test starts it with `node -e "import(...).then(m => m.main(task))"`), so the test runner
 * finding it under test/ runs nothing.
 *
 * Protocol on stdout, one JSON object per line: {"ready":true} once connected; after a line on stdin, one
 * AgentMessage per event, ending with {"done":true}.
 */
import { createInterface } from "node:readline";
import { openStorage } from "../../src/storage/index.js";

export interface AgentTask {
  readonly url: string;
  readonly sweepId: string;
  readonly worker: string;
  readonly maxTrials: number;
  /** Steps per trial, `stepMs` apart. */
  readonly steps: number;
  readonly stepMs: number;
  readonly heartbeatMs: number;
  /** A running trial whose heartbeat is older than this is taken back from its agent. */
  readonly graceMs: number;
}

export type AgentMessage =
  | { readonly ready: true }
  | { readonly claimed: number; readonly number: number; readonly attempt: number }
  | { readonly step: number; readonly trialId: number }
  | { readonly finished: number; readonly number: number; readonly attempt: number; readonly applied: boolean }
  | { readonly reclaimed: readonly number[] }
  | { readonly done: true };

const send = (message: AgentMessage) => process.stdout.write(`${JSON.stringify(message)}\n`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitForGo(): Promise<void> {
  const lines = createInterface({ input: process.stdin });
  for await (const _line of lines) break;
  lines.close();
}

export async function main(task: AgentTask): Promise<void> {
  // A short idle-in-transaction timeout: an agent frozen mid-transaction (the test freezes one) must not
  // hold the sweep's proposer lock for the default minute.
  const storage = await openStorage(task.url, { idleInTransactionTimeoutMs: 1000, maxConnections: 2 });
  send({ ready: true });
  await waitForGo();
  for (;;) {
    const reclaimed = await storage.reclaimStaleTrials(task.sweepId, new Date(Date.now() - task.graceMs).toISOString());
    if (reclaimed.length > 0) send({ reclaimed: reclaimed.map((t) => t.id) });

    const result = await storage.claimTrial(task.sweepId, {
      worker: task.worker,
      maxTrials: task.maxTrials,
      propose: (ctx) => ({ params: { x: ctx.nextNumber } }),
    });
    if ("stop" in result) {
      // The cap is reached, but a trial may still be running on a host that died: stay until none is open,
      // so this agent can reclaim and finish it.
      const open = await storage.listTrials(task.sweepId, { status: ["running", "queued"] });
      if (open.length === 0) break;
      await sleep(task.heartbeatMs);
      continue;
    }

    const { id, number, attempt } = result.trial;
    send({ claimed: id, number, attempt });
    const heartbeat = setInterval(() => {
      storage.updateTrial(id, { heartbeatAt: new Date().toISOString() }).catch(() => undefined);
    }, task.heartbeatMs);
    try {
      for (let step = 0; step < task.steps; step++) {
        await sleep(task.stepMs);
        await storage.addIntermediate(id, step, { loss: 1 / (step + 1), number }, attempt);
        send({ step, trialId: id });
      }
    } finally {
      clearInterval(heartbeat);
    }
    const finished = await storage.finishTrial(id, { status: "completed", value: number, attempt });
    send({ finished: id, number, attempt, applied: finished !== null });
  }
  await storage.close();
  send({ done: true });
}
