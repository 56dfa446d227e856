import assert from "node:assert/strict";
import { test } from "node:test";
import { JsonReporter, LineReporter, QuietReporter, TtyReporter, type RunnerEvent, type SweepTally } from "../../src/runner/progress.js";
import type { Slot } from "../../src/runner/slots.js";

const slot: Slot = { index: 0, gpus: ["1"], cudaVisibleDevices: "1", label: "GPU 1" };
const trial = { id: 7, sweepId: "abcd1234", number: 3, attempt: 1, params: { lr: 0.001, opt: "adam" }, config: { lr: 0.001, opt: "adam" } };
const tally: SweepTally = { counts: { queued: 0, running: 1, completed: 2, pruned: 0, failed: 1, interrupted: 0 }, best: { number: 1, value: 0.8123456, params: { lr: 0.01 } }, metricName: "val_acc" };
const events: RunnerEvent[] = [
  { type: "sweep_started", sweepId: "abcd1234", name: "demo", worker: "h:1", storage: "db", slots: [slot], logFile: null, tally },
  { type: "trial_started", trial, slot, logDir: "/runs/t3" },
  { type: "trial_metrics", trial, slot, step: 2, metrics: { val_acc: 0.75 } },
  { type: "trial_finished", trial, slot, state: "failed", value: null, error: "exited with code 1\nstack", elapsedMs: 65_000, willRetry: true, tally },
  { type: "sweep_finished", sweepId: "abcd1234", reason: "run_cap reached", tally },
];

function collect(make: (w: (t: string) => void) => { emit(e: RunnerEvent): void; close(): void }): string {
  let out = "";
  const r = make((t) => (out += t));
  for (const e of events) r.emit(e);
  r.close();
  return out;
}

test("line mode prints one line per event", () => {
  const out = collect((w) => new LineReporter(w));
  const lines = out.trim().split("\n");
  assert.equal(lines.length, 5);
  assert.match(lines[1]!, /trial 3 started on GPU 1: lr=0.001 opt=adam — logs \/runs\/t3/);
  assert.match(lines[2]!, /trial 3 step 2: val_acc=0.75/);
  assert.match(lines[3]!, /trial 3 failed: exited with code 1 \(1m05s\) — will retry; 2 completed, 1 running, 1 failed/);
  assert.match(lines[4]!, /ended: run_cap reached; .* best: trial 1 val_acc=0.8123 \(lr=0.01\)/);
});

test("quiet mode keeps only the summary; json mode is one parseable object per event", () => {
  assert.equal(collect((w) => new QuietReporter(w)).trim().split("\n").length, 1);
  const objects = collect((w) => new JsonReporter(w)).trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(objects.map((o) => o.event), ["sweep_started", "trial_started", "trial_metrics", "trial_finished", "sweep_finished"]);
  assert.deepEqual(objects[1].trial, { id: 7, number: 3, attempt: 1, params: { lr: 0.001, opt: "adam" } });
  assert.equal(objects[1].gpus, "1");
});

test("the live table shows each slot's trial, step and metric, then the summary", () => {
  let out = "";
  const r = new TtyReporter((t) => (out += t), () => 100, 60_000);
  r.emit(events[0]!);
  r.emit(events[1]!);
  r.emit(events[2]!);
  r.emit({ type: "notice", level: "warn", message: "skipped a line" });
  r.close();
  const screen = out.split("\x1b[J").at(-1)!;
  assert.match(screen, /GPU 1\s+3\s+2\s+0\.75\s+0s\s+lr=0\.001 opt=adam/);
  assert.match(screen, /2 completed, 1 running, 1 failed — best: trial 1 val_acc=0\.8123/);
  assert.match(out, /warn: skipped a line\n/);
});

test("a pruned trial's line says at which step and by which rule, in line and live-table modes", () => {
  const pruned: RunnerEvent = {
    type: "trial_finished",
    trial,
    slot,
    state: "pruned",
    value: 0.61,
    error: null,
    pruneStep: 5,
    pruneReason: "W&B hyperband band 1 (iteration 5): 0.61 worse than threshold 0.7",
    elapsedMs: 3_000,
    willRetry: false,
    tally,
  };
  let lines = "";
  const line = new LineReporter((t) => (lines += t));
  line.emit(pruned);
  line.close();
  assert.match(lines, /trial 3 pruned at step 5 \(W&B hyperband band 1 \(iteration 5\): 0\.61 worse than threshold 0\.7\) \(3s\)/);
  let screen = "";
  const tty = new TtyReporter((t) => (screen += t), () => 100, 60_000);
  tty.emit(events[0]!);
  tty.emit(pruned);
  tty.close();
  assert.match(screen, /trial 3 pruned at step 5 \(W&B hyperband band 1/);
});
