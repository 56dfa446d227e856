import assert from "node:assert/strict";
import { test } from "node:test";
import { createReporter, JsonReporter, LineReporter, QuietReporter, TtyReporter, type RunnerEvent, type SweepTally } from "../../src/runner/progress.js";
import type { Slot } from "../../src/runner/slots.js";

const slot: Slot = { index: 0, gpus: ["1"], cudaVisibleDevices: "1", label: "GPU 1" };
const trial = { id: 7, sweepId: "abcd1234", number: 3, attempt: 1, params: { lr: 0.001, opt: "adam" }, config: { lr: 0.001, opt: "adam" } };
const tally: SweepTally = { counts: { queued: 0, running: 1, completed: 2, pruned: 0, failed: 1, interrupted: 0 }, best: { number: 1, value: 0.8123456, params: { lr: 0.01 } }, metricName: "val_acc" };
const events: RunnerEvent[] = [
  { type: "sweep_started", sweepId: "abcd1234", name: "demo", worker: "h:1", storage: "db", slots: [slot], logFile: null, tally, plannedTrials: 10 },
  { type: "trial_started", trial, slot, logDir: "/runs/t3", tally },
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

/** A terminal stand-in: what was written, its size, and its resize listeners. */
class FakeTerminal {
  out = "";
  columns = 100;
  rows = 40;
  private listeners: (() => void)[] = [];
  write(t: string) {
    this.out += t;
  }
  on(_event: "resize", fn: () => void) {
    this.listeners.push(fn);
  }
  off(_event: "resize", fn: () => void) {
    this.listeners = this.listeners.filter((l) => l !== fn);
  }
  resize(columns: number) {
    this.columns = columns;
    for (const l of this.listeners) l();
  }
  /** The text after the last erase: the frame on screen now (log-update erases with ESC[2K). */
  get screen(): string {
    return this.out.split("\x1b[2K").at(-1)!.replace(/\x1b\[[0-9]*[A-G]/g, "");
  }
}

test("line mode prints one line per trial event, none per metric report", () => {
  const out = collect((w) => new LineReporter(w, { summaryEveryMs: null }));
  const lines = out.trim().split("\n");
  assert.equal(lines.length, 4, out);
  assert.match(lines[0]!, /sweep abcd1234 \(demo\): 1 slot\(s\) \[GPU 1\], 10 trials planned/);
  assert.match(lines[1]!, /trial 3 started on GPU 1: lr=0.001 opt=adam — logs \/runs\/t3/);
  assert.match(lines[2]!, /trial 3 failed: exited with code 1 \(1m05s on GPU 1\) — will retry \(requeued for attempt 2\): lr=0.001 opt=adam; 2 completed, 1 running, 1 failed/);
  assert.match(lines[3]!, /ended: run_cap reached; .* best: trial 1 val_acc=0.8123 \(lr=0.01\)/);
  assert.match(collect((w) => new LineReporter(w, { metrics: true, summaryEveryMs: null })), /trial 3 step 2: val_acc=0.75/);
});

test("line mode prints a summary line every interval (SWEEP_SUMMARY_INTERVAL), with counts, N of run_cap and the best", async () => {
  let out = "";
  const reporter = createReporter("lines", { stdout: { write: () => true }, stderr: { write: (t: string) => (out += t) } }, { SWEEP_SUMMARY_INTERVAL: "0.02" });
  for (const e of events.slice(0, 3)) reporter.emit(e);
  const deadline = Date.now() + 30_000;
  while (!/progress:/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  reporter.emit(events[4]!);
  reporter.close();
  assert.match(out, /progress: 3 of 10 done; completed 2, pruned 0, failed 1, running 1; elapsed \d+s, ETA —; best: trial 1 val_acc=0\.8123 \(lr=0\.01\)/);
  // None after the end.
  const after = out.length;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(out.length, after);
});

test("the final summary prints the best parameters in full, however long", () => {
  const params = { model_name_or_path: "snunlp/KR-ELECTRA-discriminator-with-a-very-long-suffix", learning_rate: 0.000123456789, warmup_ratio: 0.0612345, seed: 42 };
  const long: SweepTally = { ...tally, best: { number: 4, value: 0.9, params } };
  let out = "";
  const line = new LineReporter((t) => (out += t), { summaryEveryMs: null });
  line.emit({ type: "sweep_finished", sweepId: "abcd1234", reason: "done", tally: long });
  assert.match(out, /learning_rate=0\.000123456789 warmup_ratio=0\.0612345 seed=42\)/);
  const term = new FakeTerminal();
  const tty = new TtyReporter(term, { refreshMs: 60_000 });
  tty.emit({ ...events[0]!, tally: long } as RunnerEvent);
  tty.emit({ type: "sweep_finished", sweepId: "abcd1234", reason: "done", tally: long });
  tty.close();
  assert.match(term.out, /model_name_or_path=snunlp\/KR-ELECTRA-discriminator-with-a-very-long-suffix learning_rate=0\.000123456789 warmup_ratio=0\.0612345 seed=42/);
});

test("quiet mode keeps only the summary; json mode is one parseable object per event", () => {
  assert.equal(collect((w) => new QuietReporter(w)).trim().split("\n").length, 1);
  const objects = collect((w) => new JsonReporter(w)).trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(objects.map((o) => o.event), ["sweep_started", "trial_started", "trial_metrics", "trial_finished", "sweep_finished"]);
  assert.deepEqual(objects[1].trial, { id: 7, number: 3, attempt: 1, params: { lr: 0.001, opt: "adam" } });
  assert.equal(objects[1].gpus, "1");
  assert.equal(objects[0].planned_trials, 10);
});

test("the live view shows each slot's trial, step and metric, the counts, the bar, and prints finished trials above", () => {
  const term = new FakeTerminal();
  let now = 1_000_000;
  const r = new TtyReporter(term, { refreshMs: 60_000, now: () => now });
  r.emit(events[0]!);
  r.emit(events[1]!);
  now += 5_000;
  r.emit(events[2]!);
  r.emit({ type: "notice", level: "warn", message: "skipped a line" });
  let screen = term.screen;
  assert.match(screen, /GPU 1\s+#3\s+2\s+0\.75\s+5s\s+lr=0\.001 opt=adam/);
  assert.match(screen, /completed 2 {2}pruned 0 {2}failed 1 {2}running 1/);
  assert.match(screen, /\[#+-+\] {2}3 of 10 done {2}elapsed 5s {2}ETA —/);
  assert.match(screen, /best: trial 1 val_acc=0\.8123 {2}lr=0\.01/);
  assert.match(term.out, /warn: skipped a line\n/);
  r.emit(events[3]!);
  screen = term.screen;
  assert.match(term.out, /trial 3 failed: exited with code 1 \(1m05s on GPU 1\) — will retry/);
  assert.match(screen, /GPU 1\s+idle/);
  r.emit(events[4]!);
  r.close();
  assert.match(term.out, /sweep abcd1234 ended: run_cap reached; 3 of 10 done: 2 completed, 1 running, 1 failed; elapsed 5s\nbest: trial 1 val_acc=0\.8123 \(lr=0\.01\)\n$/);
});

test("the live view lays itself out again at the new width when the terminal is resized", () => {
  const term = new FakeTerminal();
  const r = new TtyReporter(term, { refreshMs: 60_000 });
  r.emit(events[0]!);
  r.emit(events[1]!);
  assert.ok(term.screen.split("\n").every((l) => l.length < 100));
  const before = term.out.length;
  term.resize(40);
  const redrawn = term.out.slice(before);
  // The block drawn for 100 columns takes more rows once the terminal re-wraps it at 40: all of them are erased.
  assert.ok((redrawn.match(/\x1b\[2K/g) ?? []).length > 6, JSON.stringify(redrawn));
  for (const line of term.screen.split("\n")) assert.ok(line.length <= 39, `${JSON.stringify(line)} is wider than 39`);
  r.close();
  term.resize(100); // no listener left
  assert.equal(term.out.length, term.out.length);
});

test("a pruned trial's line says at which step and by which rule, in line and live modes", () => {
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
  const line = new LineReporter((t) => (lines += t), { summaryEveryMs: null });
  line.emit(pruned);
  line.close();
  assert.match(lines, /trial 3 pruned at step 5 \(W&B hyperband band 1 \(iteration 5\): 0\.61 worse than threshold 0\.7\) \(3s on GPU 1\)/);
  const term = new FakeTerminal();
  const tty = new TtyReporter(term, { refreshMs: 60_000 });
  tty.emit(events[0]!);
  tty.emit(pruned);
  tty.close();
  assert.match(term.out, /trial 3 pruned at step 5 \(W&B hyperband band 1/);
});

test("the live view hides secret values and secret-named parameters like every other mode", () => {
  const term = new FakeTerminal();
  const reporter = createReporter("tty", { stdout: { write: () => true }, stderr: term }, { HF_TOKEN: "hf_sekrit_value_123" });
  const secretTrial = { ...trial, params: { lr: 0.001, api_key: "abc", note: "uses hf_sekrit_value_123" } };
  reporter.emit(events[0]!);
  reporter.emit({ type: "trial_started", trial: secretTrial, slot, logDir: "/runs/t3", tally });
  reporter.emit({ type: "trial_finished", trial: secretTrial, slot, state: "completed", value: 1, error: null, elapsedMs: 1000, willRetry: false, tally });
  reporter.close();
  assert.doesNotMatch(term.out, /hf_sekrit_value_123|api_key=abc/);
  assert.match(term.out, /api_key=\*\*\*/);
});
