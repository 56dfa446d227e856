import assert from "node:assert/strict";
import { after, test } from "node:test";
import { SweepController } from "../../src/runner/controller.js";
import { setupSlots } from "../../src/runner/setup.js";
import { currentWorker } from "../../src/runner/worker.js";
import { Sweep } from "../../src/study/index.js";
import { Sink, Workspace } from "./harness.js";
import { createReporter } from "../../src/runner/progress.js";

const ws = new Workspace();
after(() => ws.dispose());

test("a running agent reclaims the trial of an agent on another host that stopped heartbeating", async () => {
  const storage = await ws.openStorage();
  try {
    const sweep = await Sweep.create(storage, ws.resolved("method: grid\nparameters:\n  x: {values: [1, 2, 3]}\n  epoch_ms: {value: 150}\n"));
    // An agent on another host claimed trial 0, then went silent two minutes ago.
    const ghost = await sweep.next({ worker: "gpu-box-2:4242" });
    assert.ok("trial" in ghost);
    const twoMinutesAgo = new Date(Date.now() - 120_000).toISOString();
    await storage.updateTrial(ghost.trial.id, { heartbeatAt: twoMinutesAgo });

    const env = ws.env({ FAKE_NVIDIA_SMI_FAIL: "1" });
    const { slots } = await setupSlots({ parallel: 1 }, env);
    const sink = new Sink();
    const controller = new SweepController(sweep, {
      slots,
      worker: currentWorker(),
      runDir: ws.dir,
      cwd: ws.dir,
      baseEnv: env,
      heartbeatMs: 100,
      reporter: createReporter("lines", { stdout: sink, stderr: sink }),
    });
    const summary = await controller.run();
    const trials = await storage.listTrials(sweep.id);
    assert.deepEqual(trials.map((t) => t.status), ["completed", "completed", "completed"], summary.reason + sink.text);
    assert.equal(trials[0]!.attempt, 2, "the silent agent's trial ran again as attempt 2");
    assert.notEqual(trials[0]!.worker, "gpu-box-2:4242");
    assert.match(sink.text, /trial 0 of dead worker gpu-box-2:4242 goes back to the queue/);
    // The silent agent coming back to report its old attempt changes nothing.
    assert.equal(await sweep.tell(ghost.trial, 123), null);
    assert.notEqual((await storage.getTrial(ghost.trial.id))!.value, 123);
  } finally {
    await storage.close();
  }
});
