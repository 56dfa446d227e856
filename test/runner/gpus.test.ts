import assert from "node:assert/strict";
import { delimiter } from "node:path";
import { test } from "node:test";
import { GpuSelectionError, parseNvidiaSmiCsv, queryGpus, selectGpus } from "../../src/runner/gpus.js";
import { SlotPlanError, planSlots } from "../../src/runner/slots.js";
import { fixturesDir } from "../helpers/paths.js";
import { Workspace } from "./harness.js";

const fakeEnv = (extra: Record<string, string> = {}) => ({ ...process.env, PATH: `${fixturesDir}${delimiter}${process.env.PATH}`, ...extra });

test("queryGpus reads the fake nvidia-smi (4 GPUs) with the documented query", async () => {
  const result = await queryGpus(fakeEnv({ FAKE_GPU_MEMORY_USED: "2:30000" }));
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(result.gpus.map((g) => g.index), [0, 1, 2, 3]);
  assert.equal(result.gpus[2]!.memoryUsedMiB, 30000);
  assert.equal(result.gpus[0]!.name, "NVIDIA A100-SXM4-80GB");
  assert.match(result.gpus[1]!.uuid, /^GPU-00000001-/);
});

test("queryGpus reports a failing or missing nvidia-smi as 'no GPU' with the reason", async () => {
  const failing = await queryGpus(fakeEnv({ FAKE_NVIDIA_SMI_FAIL: "1" }));
  assert.equal(failing.ok, false);
  assert.match((failing as { reason: string }).reason, /code 9: NVIDIA-SMI has failed/);
  const missing = await queryGpus({ PATH: "/nonexistent" });
  assert.deepEqual(missing, { ok: false, reason: "nvidia-smi not found on PATH" });
});

const four = parseNvidiaSmiCsv(
  [0, 1, 2, 3].map((i) => `${i}, GPU-aaaa${i}, Tesla, 16000, ${i === 1 ? 9000 : 10}`).join("\n"),
);

test("selectGpus honours CUDA_VISIBLE_DEVICES, --gpus and --skip-busy-gpus", () => {
  assert.deepEqual(selectGpus(four).gpus.map((g) => g.index), [0, 1, 2, 3]);
  assert.deepEqual(selectGpus(four, { cudaVisibleDevices: "3,GPU-aaaa1" }).gpus.map((g) => g.index), [3, 1]);
  assert.deepEqual(selectGpus(four, { cudaVisibleDevices: "" }).gpus, []);
  assert.deepEqual(selectGpus(four, { cudaVisibleDevices: "-1" }).gpus, []);
  assert.deepEqual(selectGpus(four, { gpus: "0,2,3" }).gpus.map((g) => g.index), [0, 2, 3]);
  assert.deepEqual(selectGpus(four, { gpus: "all", cudaVisibleDevices: "1,2" }).gpus.map((g) => g.index), [1, 2]);
  const busy = selectGpus(four, { skipBusy: true });
  assert.deepEqual(busy.gpus.map((g) => g.index), [0, 2, 3]);
  assert.deepEqual(busy.skippedBusy.map((g) => g.index), [1]);
  assert.deepEqual(busy.busy, []);
  // Without the flag a busy GPU stays selected, and is named for a warning.
  const kept = selectGpus(four, { gpus: "0,1" });
  assert.deepEqual(kept.gpus.map((g) => g.index), [0, 1]);
  assert.deepEqual(kept.busy.map((g) => g.index), [1]);
  assert.deepEqual(kept.skippedBusy, []);
});

test("selectGpus quotes the bad id and the valid choices", () => {
  assert.throws(() => selectGpus(four, { gpus: "0,7" }), (e: unknown) => e instanceof GpuSelectionError && /GPU "7".*among 0,1,2,3/.test(e.message));
  assert.throws(() => selectGpus(four, { gpus: "0", cudaVisibleDevices: "2,3" }), /hides it; expected one of 2,3/);
  assert.throws(() => selectGpus(four, { cudaVisibleDevices: "GPU-zzz" }), /names GPU "GPU-zzz"/);
});

test("planSlots spreads trials over GPUs before sharing, groups GPUs per trial, and plans CPU slots", () => {
  const shared = planSlots(["0", "1"], { trialsPerGpu: 2 }).slots;
  assert.deepEqual(shared.map((s) => s.cudaVisibleDevices), ["0", "1", "0", "1"]);
  const pairs = planSlots(["0", "1", "2", "3", "4"], { gpusPerTrial: 2 });
  assert.deepEqual(pairs.slots.map((s) => s.cudaVisibleDevices), ["0,1", "2,3"]);
  assert.deepEqual(pairs.unusedGpus, ["4"]);
  assert.equal(pairs.slots[1]!.label, "GPU 2+3");
  const cpu = planSlots([], { parallel: 3 }).slots;
  assert.deepEqual(cpu.map((s) => [s.label, s.cudaVisibleDevices]), [["CPU 0", ""], ["CPU 1", ""], ["CPU 2", ""]]);
  assert.throws(() => planSlots(["0"], { gpusPerTrial: 2 }), SlotPlanError);
  assert.throws(() => planSlots([], { parallel: 0 }), /--parallel 0 is invalid/);
});

test("a GPU that other processes fill is warned about by default, and skipped with --skip-busy-gpus", async (t) => {
  const ws = new Workspace();
  t.after(() => ws.dispose());
  const file = ws.sweepFile("busy", "method: grid\nmetric: {name: score, goal: maximize}\nparameters:\n  x: {values: [1, 2]}\n  epochs: {value: 1}\n");
  const busy = { FAKE_GPU_MEMORY_USED: "1:30000" };
  const warned = ws.spawnCli(["run", file, "--gpus", "0,1"], busy);
  assert.equal((await warned.exited).code, 0, warned.stderr);
  assert.match(warned.stderr, /warn: GPU 1 is busy: 30000 of 81920 MiB already in use by other processes; trials run there too \(--skip-busy-gpus leaves busy GPUs out\)/);
  assert.doesNotMatch(warned.stderr, /GPU 0 is busy/);
  assert.deepEqual(new Set(ws.trainerRecords().map((r) => r.cuda)), new Set(["0", "1"]));

  const skipped = ws.spawnCli(["run", file, "--gpus", "0,1", "--skip-busy-gpus"], busy);
  assert.equal((await skipped.exited).code, 0, skipped.stderr);
  assert.match(skipped.stderr, /warn: skipping busy GPU 1 \(30000 MiB in use\)/);
  assert.doesNotMatch(skipped.stderr, /is busy/);
});
