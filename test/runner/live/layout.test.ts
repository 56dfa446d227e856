/**
 * The live view's layout as a pure function: widths in terminal cells (Korean and emoji take two), cuts in the
 * middle or at the end, the bar, the ETA, slots grouped per GPU, the best trial's parameters wrapped in full.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { countsLine, fitParams, formatEta, groupSlots, progressBar, progressLine, renderLiveBlock, summaryText } from "../../../src/runner/live/layout.js";
import { LiveState, progressFigures } from "../../../src/runner/live/state.js";
import { displayWidth, fitWidth, splitByWidth, wrapWords } from "../../../src/runner/live/text-width.js";
import type { SweepTally } from "../../../src/runner/progress.js";
import { planSlots, type Slot } from "../../../src/runner/slots.js";

const KOREAN_MODEL = "한국어-모델-베이스";
const LONG_DATASET = "네이버-영화-리뷰-감성분석-데이터셋-v2";

describe("text width", () => {
  it("counts Korean syllables and emoji as two cells, accents as none", () => {
    assert.equal(displayWidth("abc"), 3);
    assert.equal(displayWidth(KOREAN_MODEL), 18); // 8 syllables, 2 dashes
    assert.equal(displayWidth("🚀x"), 3);
    assert.equal(displayWidth("e\u0301"), 1);
  });

  it("cuts by cells, never past the limit, at the end or in the middle", () => {
    for (let max = 1; max <= 19; max++) {
      for (const at of ["end", "middle"] as const) {
        const cut = fitWidth(KOREAN_MODEL, max, at);
        assert.ok(displayWidth(cut) <= max, `${at} ${max}: ${cut} is ${displayWidth(cut)} cells`);
        assert.ok(displayWidth(cut) >= max - 1, `${at} ${max}: ${cut} wastes more than one cell`);
      }
    }
    assert.equal(fitWidth(KOREAN_MODEL, 18), KOREAN_MODEL);
    assert.equal(fitWidth(KOREAN_MODEL, 10, "middle"), "한국…이스");
    assert.match(fitWidth(KOREAN_MODEL, 10), /^한국어-모…$/);
    assert.equal(fitWidth("🚀🚀🚀", 4), "🚀…");
  });

  it("wraps words into lines by cells, splitting a word wider than a line instead of cutting it", () => {
    const lines = wrapWords(["lr=0.000123456789", `model=${KOREAN_MODEL}`, `data=${LONG_DATASET}`], 24, "  ", "best: ");
    for (const line of lines) assert.ok(displayWidth(line) <= 24, `${line} is ${displayWidth(line)} cells`);
    const joined = lines.map((l) => l.trim()).join("");
    assert.ok(joined.includes("lr=0.000123456789"));
    assert.ok(joined.replace(/\s/g, "").includes(`data=${LONG_DATASET}`));
    assert.deepEqual(splitByWidth("한국어", 3), ["한", "국", "어"]);
    assert.deepEqual(splitByWidth("", 3), [""]);
  });
});

describe("progress figures", () => {
  const tally = (completed: number, pruned = 0, failed = 0, running = 0): SweepTally => ({
    counts: { queued: 0, running, completed, pruned, failed, interrupted: 0 },
    best: null,
    metricName: "score",
  });
  const started = (planned: number | null, done = 0) => {
    const state = new LiveState();
    state.apply({ type: "sweep_started", sweepId: "s", name: null, worker: "w", storage: "db", slots: [], logFile: null, tally: tally(done), plannedTrials: planned }, 0);
    return state;
  };

  it("has no ETA before a trial has finished, nor for a sweep without an end", () => {
    assert.equal(progressFigures(started(10), 60_000).etaMs, null);
    const endless = started(null);
    endless.tally = tally(5);
    assert.equal(progressFigures(endless, 60_000).etaMs, null);
    assert.equal(formatEta(null), "—");
  });

  it("takes the ETA from the pace of trials finished since the start, counting pruned and failed ones as done", () => {
    const state = started(20, 4); // 4 done by an earlier run: they do not make this run look faster
    state.tally = tally(6, 1, 1, 4); // 8 done, 4 of them in 60 s
    const f = progressFigures(state, 60_000);
    assert.equal(f.done, 8);
    assert.equal(f.total, 20);
    assert.equal(f.etaMs, 12 * 15_000);
    assert.equal(formatEta(f.etaMs), "3m00s");
    assert.equal(progressFigures(started(4, 4), 1000).etaMs, null);
  });

  it("draws a bar of the asked width, full at the end, empty at the start", () => {
    assert.equal(progressBar(0, 8, 10), "[--------]");
    assert.equal(progressBar(4, 8, 10), "[####----]");
    assert.equal(progressBar(8, 8, 10), "[########]");
    assert.equal(progressBar(9, 8, 10), "[########]");
    const line = progressLine({ done: 3, total: 8, running: 2, elapsedMs: 72_000, etaMs: 130_000 }, 80);
    assert.match(line, /^\[#+-+\] {2}3 of 8 done {2}elapsed 1m12s {2}ETA 2m10s$/);
    assert.ok(displayWidth(line) <= 80);
    assert.equal(progressLine({ done: 3, total: null, running: 2, elapsedMs: 1000, etaMs: null }, 80), "3 done, no run_cap  elapsed 1s  ETA —");
  });

  it("lists completed, pruned, failed and running always, queued and interrupted when there are any", () => {
    assert.equal(countsLine({ queued: 0, running: 4, completed: 0, pruned: 0, failed: 0, interrupted: 0 }), "completed 0  pruned 0  failed 0  running 4");
    assert.equal(countsLine({ queued: 2, running: 1, completed: 3, pruned: 1, failed: 1, interrupted: 1 }), "completed 3  pruned 1  failed 1  running 1  queued 2  interrupted 1");
  });
});

describe("the live block", () => {
  const slots = planSlots(["0", "1"], { trialsPerGpu: 2 }).slots; // round-robin: 0→GPU 0, 1→GPU 1, 2→GPU 0, 3→GPU 1
  const trial = (id: number, params: Record<string, unknown>) => ({ id, sweepId: "s", number: id, attempt: 1, params, config: params });
  const tally: SweepTally = {
    counts: { queued: 0, running: 3, completed: 2, pruned: 1, failed: 0, interrupted: 0 },
    best: { number: 1, value: 0.91, params: { model: KOREAN_MODEL, dataset: LONG_DATASET, learning_rate: 0.000123456789, warmup_ratio: 0.061234 } },
    metricName: "val_pearson",
  };
  const state = () => {
    const s = new LiveState();
    s.apply({ type: "sweep_started", sweepId: "ab12cd34", name: "한국어 스윕", worker: "w", storage: "storage/sweeps.db", slots, logFile: null, tally, plannedTrials: 8 }, 0);
    s.apply({ type: "trial_started", trial: trial(4, { model: KOREAN_MODEL, dataset: LONG_DATASET, lr: 0.001 }), slot: slots[0]!, logDir: "d", tally }, 1000);
    s.apply({ type: "trial_started", trial: trial(5, { model: "klue/roberta-large", dataset: "klue-sts", lr: 0.01 }), slot: slots[1]!, logDir: "d", tally }, 1000);
    s.apply({ type: "trial_started", trial: trial(6, { model: "🚀-model", dataset: "x", lr: 0.02 }), slot: slots[2]!, logDir: "d", tally }, 2000);
    s.apply({ type: "trial_metrics", trial: trial(4, {}), slot: slots[0]!, step: 3, metrics: { val_pearson: 0.8123, loss: 2 } }, 3000);
    return s;
  };

  it("groups slots per GPU, whatever the order of slot numbers", () => {
    const groups = groupSlots(slots, state().running.values());
    assert.deepEqual(groups.map((g) => g.label), ["GPU 0", "GPU 1"]);
    assert.deepEqual(groups.map((g) => g.rows.map((r) => r.slot?.index)), [[0, 2], [1, 3]]);
    assert.deepEqual(groups.map((g) => g.rows.map((r) => r.trial?.trial.number ?? null)), [[4, 6], [5, null]]);
  });

  it("shows a trial followed after its controller died under its GPU", () => {
    const s = state();
    const lost: Slot = { index: -1, gpus: ["1"], cudaVisibleDevices: "1", label: "GPU 1" };
    s.apply({ type: "trial_metrics", trial: trial(2, { lr: 0.5 }), slot: lost, step: 7, metrics: { val_pearson: 0.5 } }, 3000);
    const groups = groupSlots(slots, s.running.values());
    assert.deepEqual(groups[1]!.rows.map((r) => r.trial?.trial.number ?? null), [5, null, 2]);
    assert.match(renderLiveBlock(s, { columns: 100, rows: 40, now: 4000 }).join("\n"), /#2\s+7\s+0\.5\s+1s {2}\(followed\) lr=0\.5/);
  });

  for (const columns of [120, 80, 60, 44]) {
    it(`fits ${columns} columns by display width, columns lined up, the best parameters in full`, () => {
      const lines = renderLiveBlock(state(), { columns, rows: 40, now: 5000 });
      for (const line of lines) assert.ok(displayWidth(line) <= columns - 1, `${JSON.stringify(line)} is ${displayWidth(line)} cells, more than ${columns - 1}`);
      assert.match(lines[0]!, /^sweep ab12cd34 \(한국어 스윕\)/);
      assert.match(lines[1]!, /^\[#+-+\] {2}3 of 8 done {2}elapsed 5s {2}ETA/);
      assert.equal(lines[2], "completed 2  pruned 1  failed 0  running 3");
      // Wrapped, never cut: the whole of every best parameter is there.
      const bestLines = lines.slice(3, lines.findIndex((l) => l.startsWith("GPU  ")));
      const best = bestLines.map((l) => l.trim()).join(" ");
      assert.match(bestLines[0]!, /^best: trial 1 val_pearson=0\.91/);
      for (const word of [`model=${KOREAN_MODEL}`, "learning_rate=0.000123456789", "warmup_ratio=0.061234"]) {
        assert.ok(best.replace(/ /g, "").includes(word.replace(/ /g, "")), `${word} missing from ${JSON.stringify(bestLines)}`);
      }
      // Table rows: the columns before the parameters sit at the same cells on every row, Korean or not.
      const rows = lines.filter((l) => /^(GPU \d|\s+)\s+#\d/.test(l));
      assert.equal(rows.length, 3);
      const paramsAt = rows.map((r) => displayWidth(r.slice(0, r.indexOf("model="))));
      if (columns >= 60) assert.equal(new Set(paramsAt).size, 1, JSON.stringify(rows));
      assert.match(lines.join("\n"), /GPU 0\s+#4\s+3\s+0\.8123\s+4s/);
      assert.match(lines.join("\n"), /\n\s+#6\s+-\s+-\s+3s/);
      assert.match(lines.join("\n"), /GPU 1\s+#5\s+-\s+-\s+4s/);
      assert.match(lines.join("\n"), /\n\s+idle$/);
    });
  }

  it("says on which GPUs a trial runs when they are not its row's (a 2-GPU trial on a lane of GPU 0)", () => {
    const s = state();
    const wide: Slot = { index: 3, gpus: ["0", "1"], cudaVisibleDevices: "0,1", label: "GPU 0+1" };
    s.apply({ type: "trial_started", trial: trial(9, { lr: 0.1 }), slot: wide, logDir: "d", tally }, 4000);
    assert.match(renderLiveBlock(s, { columns: 100, rows: 40, now: 5000 }).join("\n"), /#9 +- +- +1s {2}\(GPU 0\+1\) lr=0\.1/);
  });

  it("keeps model and dataset names readable in a narrow row: long values cut in the middle", () => {
    const text = fitParams({ model: KOREAN_MODEL, dataset: LONG_DATASET, lr: 0.001 }, 60);
    assert.ok(displayWidth(text) <= 60);
    // The widest name is cut first, and only as much as needed: the model's name stays whole.
    assert.match(text, /^model=한국어-모델-베이스 dataset=네이버-\S*…\S*-v2 lr=0\.001$/);
    assert.ok(displayWidth(text) >= 59, text);
    const narrow = fitParams({ model: KOREAN_MODEL, dataset: LONG_DATASET, lr: 0.001 }, 40);
    assert.match(narrow, /^model=한국…\S+ dataset=네이…\S+ lr=0\.001$/);
    assert.ok(displayWidth(narrow) <= 40, narrow);
    assert.equal(fitParams({ a: 1 }, 0), "");
  });

  it("leaves table rows out, saying so, when the terminal is too short; the summary lines stay", () => {
    const lines = renderLiveBlock(state(), { columns: 120, rows: 8, now: 5000 });
    assert.equal(lines.length, 7);
    assert.match(lines[0]!, /^sweep /);
    assert.match(lines.at(-1)!, /^… \d more row\(s\); a taller terminal shows them$/);
  });

  it("writes a summary line for the log with counts, N of run_cap, ETA and the best in full", () => {
    assert.match(summaryText(state(), 5000), /^progress: 3 of 8 done; completed 2, pruned 1, failed 0, running 3; elapsed 5s, ETA —; best: trial 1 val_pearson=0\.91 \(model=한국어-모델-베이스 dataset=네이버-영화-리뷰-감성분석-데이터셋-v2 learning_rate=0\.000123456789 warmup_ratio=0\.061234\)$/);
  });
});
