/** The sbatch script, the storage rule and Slurm's output, as pure functions (no Slurm needed). */
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildSbatchScript, SbatchSpecError, shellQuote, type SbatchSpec } from "../../src/runner/slurm/script.js";
import { checkSlurmStorage, expandHostlist, pinnedNodes } from "../../src/runner/slurm/placement.js";
import { describeJobState, parseSbatchParsable, parseSinfoNodes, parseSqueue, SlurmError } from "../../src/runner/slurm/tools.js";
import { formatSlurmIds, slurmIdsFromEnv, slurmIdsFromJson, visibleDevicesFromEnv } from "../../src/runner/slurm/env.js";

const spec: SbatchSpec = {
  sweepId: "abc123",
  workers: 4,
  gpusPerWorker: 1,
  extraArgs: [],
  sweepCommand: ["/opt/node/bin/node", "/home/me/sweep/bin/sweep.js"],
  storage: "postgresql://me@db/sweeps",
  workDir: "/home/me/project",
  outputDir: "/home/me/project/storage/slurm",
  signalSeconds: 120,
};

test("the script: one array task per worker, GPUs, the warning signal, and the agent exec'd", () => {
  assert.equal(
    buildSbatchScript({ ...spec, partition: "gpu", time: "4:00:00", account: "lab" }),
    [
      "#!/bin/bash",
      "# Workers of sweep abc123: 4 array task(s), each one `sweep agent`. Written by `sweep slurm submit`;",
      "# submitting this file again (sbatch FILE) adds the same workers again.",
      "#SBATCH --job-name=sweep-abc123",
      "#SBATCH --array=0-3",
      "#SBATCH --gres=gpu:1",
      "#SBATCH --partition=gpu",
      "#SBATCH --time=4:00:00",
      "#SBATCH --account=lab",
      "#SBATCH --signal=B:TERM@120",
      "#SBATCH --output=/home/me/project/storage/slurm/slurm-%A_%a.out",
      "#SBATCH --chdir=/home/me/project",
      "",
      "# The GPUs are the ones Slurm gave this task (CUDA_VISIBLE_DEVICES / SLURM_JOB_GPUS): the agent uses only those.",
      "exec /opt/node/bin/node /home/me/sweep/bin/sweep.js agent abc123 --storage postgresql://me@db/sweeps --requeue-on-term",
      "",
    ].join("\n"),
  );
});

test("CPU workers run with --gpus none and ask for no gres; a URL with a password stays out of the file", () => {
  const script = buildSbatchScript({ ...spec, gpusPerWorker: 0, storage: undefined });
  assert.doesNotMatch(script, /--gres/);
  assert.match(script, /agent abc123 --requeue-on-term --gpus none\n/);
  assert.match(script, /\$SWEEP_STORAGE/);
  assert.doesNotMatch(script, /--storage/);
});

test("the user's own sbatch options come last and replace our defaults for the same option", () => {
  const script = buildSbatchScript({ ...spec, extraArgs: ["--qos=high", "--signal=B:TERM@300", "-Jmine", "--comment=two words"] });
  assert.doesNotMatch(script, /--signal=B:TERM@120/);
  assert.doesNotMatch(script, /--job-name/);
  assert.match(script, /#SBATCH --qos=high\n#SBATCH --signal=B:TERM@300\n#SBATCH -Jmine\n#SBATCH "--comment=two words"\n/);
  assert.throws(() => buildSbatchScript({ ...spec, extraArgs: ["--comment=a\nrm -rf /"] }), SbatchSpecError);
  assert.throws(() => buildSbatchScript({ ...spec, extraArgs: ["--array=0-9"] }), /--workers N/);
  assert.throws(() => buildSbatchScript({ ...spec, workers: 0 }), SbatchSpecError);
});

test("every word reaches bash as one argument, whatever it holds", () => {
  assert.equal(shellQuote("plain-word_1.2:/x"), "plain-word_1.2:/x");
  assert.equal(shellQuote("it's $HOME `x` a b"), `'it'\\''s $HOME \`x\` a b'`);
  const script = buildSbatchScript({ ...spec, workDir: "/data/my project", storage: "/data/my project/s.db" });
  assert.match(script, /#SBATCH "--chdir=\/data\/my project"/);
  assert.match(script, /--storage '\/data\/my project\/s\.db'/);
});

test("storage: PostgreSQL anywhere; SQLite only on one node; memory never", () => {
  assert.equal(checkSlurmStorage("postgresql://me@db/s", { extraArgs: [], partitionNodes: null }).ok, true);
  assert.equal(checkSlurmStorage(":memory:", { extraArgs: [], partitionNodes: ["a"] }).ok, false);
  const refused = checkSlurmStorage("/nfs/s.db", { extraArgs: [], partitionNodes: ["gpu01", "gpu02"], partition: "gpu" });
  assert.equal(refused.ok, false);
  assert.match(!refused.ok ? refused.reason : "", /SQLite storage \/nfs\/s\.db cannot be shared by workers on several nodes \(partition gpu has 2 nodes\): SQLite's locking does not hold over NFS/);
  assert.equal(checkSlurmStorage("/nfs/s.db", { extraArgs: [], partitionNodes: ["gpu01"] }).ok, true);
  assert.equal(checkSlurmStorage("/nfs/s.db", { extraArgs: ["--nodelist=gpu07"], partitionNodes: ["gpu01", "gpu02"] }).ok, true);
  assert.equal(checkSlurmStorage("/nfs/s.db", { extraArgs: ["--nodelist=gpu[01-02]"], partitionNodes: ["gpu01"] }).ok, false);
  assert.equal(checkSlurmStorage("/nfs/s.db", { extraArgs: [], partitionNodes: null }).ok, false);
});

test("hostlists: enough of Slurm's notation to count nodes", () => {
  assert.deepEqual(expandHostlist("gpu[01-03,07],cpu1"), ["gpu01", "gpu02", "gpu03", "gpu07", "cpu1"]);
  assert.deepEqual(expandHostlist("node5"), ["node5"]);
  assert.equal(expandHostlist("gpu[a-b]").length, 2); // unreadable: counted as more than one
  assert.deepEqual(pinnedNodes(["--qos=x", "-wgpu1"]), ["gpu1"]);
  assert.equal(pinnedNodes(["--qos=x"]), null);
});

test("what sbatch, sinfo and squeue print", () => {
  assert.deepEqual(parseSbatchParsable("1234\n"), { jobId: "1234" });
  assert.deepEqual(parseSbatchParsable("1234;cluster2"), { jobId: "1234", cluster: "cluster2" });
  assert.throws(() => parseSbatchParsable("sbatch: error: Batch job submission failed"), SlurmError);
  const sinfo = "debug*|vm\ngpu|gpu[01-02]\ngpu|gpu03\n";
  assert.deepEqual(parseSinfoNodes(sinfo, undefined, expandHostlist), ["vm"]);
  assert.deepEqual(parseSinfoNodes(sinfo, "gpu", expandHostlist), ["gpu01", "gpu02", "gpu03"]);
  assert.equal(parseSinfoNodes(sinfo, "nope", expandHostlist), null);
  assert.deepEqual(parseSqueue("12_0|RUNNING|vm|vm\n12_1|PENDING||(Resources)\n"), [
    { id: "12_0", state: "RUNNING", nodes: "vm", reason: "vm" },
    { id: "12_1", state: "PENDING", nodes: "", reason: "(Resources)" },
  ]);
  assert.match(describeJobState("TIMEOUT"), /time limit: its trials were stopped and requeued/);
  assert.match(describeJobState("NODE_FAIL"), /heartbeat/);
  assert.match(describeJobState("CANCELLED+"), /cancelled/);
});

test("Slurm's job variables: ids per worker, and the GPUs Slurm gave", () => {
  const env = { SLURM_JOB_ID: "57", SLURM_ARRAY_JOB_ID: "54", SLURM_ARRAY_TASK_ID: "3", SLURMD_NODENAME: "gpu07" };
  const ids = slurmIdsFromEnv(env)!;
  assert.deepEqual(ids, { jobId: "57", arrayJobId: "54", arrayTaskId: "3", node: "gpu07" });
  assert.equal(formatSlurmIds(ids), "54_3");
  assert.deepEqual(slurmIdsFromJson(JSON.parse(JSON.stringify(ids))), ids);
  assert.equal(slurmIdsFromEnv({}), null);
  assert.equal(formatSlurmIds(slurmIdsFromEnv({ SLURM_JOB_ID: "9" })!), "9");
  assert.equal(visibleDevicesFromEnv({ CUDA_VISIBLE_DEVICES: "2", SLURM_JOB_ID: "1", SLURM_JOB_GPUS: "2" }), "2");
  assert.equal(visibleDevicesFromEnv({ SLURM_JOB_ID: "1", SLURM_JOB_GPUS: "1,3" }), "1,3");
  assert.equal(visibleDevicesFromEnv({ SLURM_JOB_ID: "1", SLURM_STEP_GPUS: "0", SLURM_JOB_GPUS: "0,1" }), "0");
  assert.equal(visibleDevicesFromEnv({ SLURM_JOB_GPUS: "1" }), undefined); // outside a job: ignored
});
