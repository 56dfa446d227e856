/**
 * Secrets stay out of logs and listings (issue #14): values of `${envvar:NAME}` command macros and of
 * keys and flags named like secrets are `***` in the controller log, the progress output and `sweep show`,
 * while the trainer still receives them. Log files are private (0600 in a 0700 folder).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { commandSecretValues, isSecretName, redactArgv, redactSecrets } from "../../src/config/secrets.js";
import { buildCommand, secretArgvIndices } from "../../src/runner/command.js";
import { createControllerLogger } from "../../src/runner/setup.js";
import { cliMain } from "../helpers/paths.js";
import { Workspace } from "./harness.js";

describe("which names hold secrets", () => {
  it("tokens, passwords, secrets, api keys, auth and credentials, in any spelling", () => {
    for (const name of ["token", "hf_token", "HF_TOKEN", "hfToken", "--hf-token", "access_token", "WANDB_API_KEY", "apiKey", "x-api-key", "apikey", "OPENAI_API_KEY", "password", "db_passwd", "AWS_SECRET_ACCESS_KEY", "client_secret", "auth", "auth_header", "credentials", "model.api_key"]) {
      assert.ok(isSecretName(name), name);
    }
  });

  it("not hyperparameters that merely contain the letters", () => {
    for (const name of ["max_tokens", "max_new_tokens", "tokenizer", "tokenizer_name", "num_tokens", "author", "pad_token_id", "eos_token_ids", "lr", "batch_size", "authority_weight"]) {
      assert.ok(!isSecretName(name), name);
    }
  });
});

describe("redacting an argv", () => {
  const input = {
    template: ["${env}", "${interpreter}", "${program}", "--token=${envvar:HF_TOKEN}", "--run", "${envvar:RUN_NAME}", "${args}", "${args_json}"],
    program: "train.py",
    params: { lr: 0.01, api_key: "sk-param", "optimizer.name": "adam" },
    config: { lr: 0.01, api_key: "sk-param", optimizer: { name: "adam" } },
    argsJsonFile: "/tmp/p.json",
    env: { PATH: "/usr/bin", HF_TOKEN: "hf_abcdef123", RUN_NAME: "my-run" },
    interpreter: "python",
    platform: "linux" as NodeJS.Platform,
  };

  it("secretArgvIndices names the elements built from envvar macros", () => {
    const argv = buildCommand(input);
    assert.deepEqual(secretArgvIndices(input), [3, 5]);
    assert.equal(argv[3], "--token=hf_abcdef123");
    assert.equal(argv[5], "my-run");
    assert.deepEqual(secretArgvIndices({ ...input, template: ["${program}", "${args}"] }), []);
  });

  it("redactArgv hides envvar elements, secret flags and secret keys of a JSON argument", () => {
    const argv = buildCommand(input);
    assert.deepEqual(redactArgv(argv, { secretIndices: secretArgvIndices(input) }), [
      "/usr/bin/env", "python", "train.py", "--token=***", "--run", "***",
      "--lr=0.01", "--api_key=***", "--optimizer={'name': 'adam'}",
      '{"lr":0.01,"api_key":"***","optimizer":{"name":"adam"}}',
    ]);
    // Without the indices: by name, and by value where the value is known.
    assert.deepEqual(redactArgv(["--hf-token", "abc", "--password", "--lr=1", "HF_TOKEN=abc", "x"]), ["--hf-token", "***", "--password", "--lr=1", "HF_TOKEN=***", "x"]);
    assert.deepEqual(redactArgv(["--name=run-hf_abcdef123"], { secretValues: ["hf_abcdef123"] }), ["--name=run-***"]);
  });

  it("commandSecretValues gives the values a logger must hide", () => {
    assert.deepEqual(commandSecretValues(input.template, input.env), ["hf_abcdef123", "my-run"]);
    assert.deepEqual(redactSecrets({ params: { api_key: "k", lr: 1 }, list: [{ password: "p" }] }), { params: { api_key: "***", lr: 1 }, list: [{ password: "***" }] });
  });
});

describe("the controller log", () => {
  const ws = new Workspace();
  after(() => ws.dispose());

  it("hides argv secrets, secret keys, secret values in messages and errors; is private", () => {
    const env = { HF_TOKEN: "hf_fromtheenvironment", PATH: "/usr/bin" };
    const { logger, file } = createControllerLogger(ws.db, "abcd1234", { env, secrets: ["innocuous-value-42"] });
    const child = logger.child({ trial: 1, auth: "bearer-xyz" });
    child.info({ argv: ["node", "t.mjs", "--token=hf_fromtheenvironment", "--api-key", "k-123", "--run=innocuous-value-42"], gpus: "0" }, "launching trainer");
    child.warn({ line: "printed hf_fromtheenvironment", credentials: { user: "u", pass: "p" } }, "malformed metric line skipped");
    child.error({ err: new Error("failed with innocuous-value-42") }, "stopping for hf_fromtheenvironment");
    logger.flush();
    const text = readFileSync(file, "utf8");
    for (const secret of ["hf_fromtheenvironment", "innocuous-value-42", "k-123", "bearer-xyz", '"user"']) assert.ok(!text.includes(secret), `${secret} in:\n${text}`);
    const [launch, warn, error] = text.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(launch!.argv, ["node", "t.mjs", "--token=***", "--api-key", "***", "--run=***"]);
    assert.equal(launch!.auth, "***");
    assert.equal(warn!.credentials, "***");
    assert.match(String((error!.err as { message: string }).message), /failed with \*\*\*/);
    assert.equal(error!.msg, "stopping for ***");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(join(ws.dir, "storage", "logs")).mode & 0o777, 0o700);
  });

  it("an existing world-readable log file is made private", () => {
    const dir = join(ws.dir, "old", "logs");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, "controller-old00001.log");
    writeFileSync(file, "");
    chmodSync(file, 0o644);
    createControllerLogger(join(ws.dir, "old", "sweeps.db"), "old00001").logger.flush();
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe("a real sweep with --token=${envvar:HF_TOKEN}", () => {
  const ws = new Workspace();
  after(() => ws.dispose());
  const token = "hf_SECRETtokenValue0123456789";
  const paramSecret = "sk-param-secret-value";
  // An ${envvar:…} value is a secret whatever its variable's name.
  const plainSecret = "s3://private-bucket?sig=plainNamedSecret42";

  it("the trainer gets the token; no file of the storage, no output and no log shows it", () => {
    const file = ws.sweepFile(
      "secret",
      [
        "method: grid",
        "metric: {name: score, goal: maximize}",
        "parameters:",
        "  x: {values: [0, 1]}",
        `  api_key: {value: ${paramSecret}}`,
        "command: [\"${env}\", \"${interpreter}\", \"${program}\", \"--token=${envvar:HF_TOKEN}\", \"--bucket=${envvar:BUCKET_URL}\", \"${args}\"]",
        "",
      ].join("\n"),
    );
    const cli = (args: string[]) => {
      const r = spawnSync(process.execPath, [cliMain, ...args, "--storage", ws.db], { cwd: ws.dir, env: ws.env({ HF_TOKEN: token, BUCKET_URL: plainSecret }), encoding: "utf8" });
      return { code: r.status, out: `${r.stdout}\n${r.stderr}`, stdout: r.stdout };
    };
    const run = cli(["run", file, "--gpus", "none", "--log-format", "json"]);
    assert.equal(run.code, 0, run.out);
    const sweepId = /sweep ([a-z0-9]{8})/.exec(run.out)![1]!;

    // The trainer received the real values.
    const records = ws.trainerRecords();
    assert.equal(records.length, 2);
    for (const r of records) {
      assert.ok(r.argv.includes(`--token=${token}`), JSON.stringify(r.argv));
      assert.ok(r.argv.includes(`--bucket=${plainSecret}`), JSON.stringify(r.argv));
      assert.ok(r.argv.includes(`--api_key=${paramSecret}`));
    }

    // Nothing under the storage folder holds the token: database, logs, trial folders.
    const storageDir = join(ws.dir, "storage");
    const files = filesUnder(storageDir);
    assert.ok(files.some((f) => f.endsWith(`controller-${sweepId}.log`)), files.join("\n"));
    for (const f of files) {
      assert.ok(!readFileSync(f).includes(token), `the token is in ${f}`);
      assert.ok(!readFileSync(f).includes(plainSecret), `the plainly named envvar value is in ${f}`);
    }

    // The log shows what was launched, with the secrets hidden.
    const log = readFileSync(join(storageDir, "logs", `controller-${sweepId}.log`), "utf8");
    assert.match(log, /"--token=\*\*\*"/);
    assert.match(log, /"--api_key=\*\*\*"/);
    assert.ok(!log.includes(paramSecret));
    assert.equal(statSync(join(storageDir, "logs", `controller-${sweepId}.log`)).mode & 0o777, 0o600);
    assert.equal(statSync(join(storageDir, "logs")).mode & 0o777, 0o700);

    // Nor does the terminal: progress lines, --log-format json lines, show (table and JSON).
    for (const [label, output] of [["run", run.out], ["show", cli(["show", sweepId]).out], ["show --format json", cli(["show", sweepId, "--format", "json"]).out]] as const) {
      assert.ok(!output.includes(token), `${label} shows the token:\n${output}`);
      assert.ok(!output.includes(plainSecret), `${label} shows the plainly named envvar value:\n${output}`);
      assert.ok(!output.includes(paramSecret), `${label} shows the api_key parameter:\n${output}`);
    }
    const shown = cli(["show", sweepId]).out;
    assert.match(shown, /api_key/);
    assert.match(shown, /\*\*\*/);

    // Nor do the result commands: best (table and JSON), export (CSV and JSON), the HTML report.
    const reportFile = join(ws.dir, "report.html");
    const results = [
      ["best", cli(["best", "--metric", "score"])],
      ["best --format json", cli(["best", "--metric", "score", "--format", "json"])],
      ["export", cli(["export", sweepId])],
      ["export --format json", cli(["export", sweepId, "--format", "json"])],
      ["report", cli(["report", sweepId, "--output", reportFile])],
    ] as const;
    for (const [label, result] of results) {
      assert.equal(result.code, 0, `${label}: ${result.out}`);
      assert.ok(!result.out.includes(paramSecret), `${label} shows the api_key parameter:\n${result.out}`);
    }
    assert.ok(!readFileSync(reportFile, "utf8").includes(paramSecret), "the report shows the api_key parameter");
    const exported = JSON.parse(results[3][1].stdout) as Record<string, unknown>[];
    assert.deepEqual(exported.map((row) => row["params.api_key"]), ["***", "***"]);
    assert.match(results[0][1].out, /\*\*\*/, "best's table has the api_key column, hidden");
  });
});

describe("names that are not secrets", () => {
  it("the shell's PWD and OLDPWD are directories: their values (every path under them) are never hidden", async () => {
    const { isSecretName, envSecretValues } = await import("../../src/config/secrets.js");
    assert.equal(isSecretName("PWD"), false);
    assert.equal(isSecretName("OLDPWD"), false);
    assert.equal(isSecretName("DB_PWD"), true);
    assert.deepEqual(envSecretValues({ PWD: "/home/me/project", OLDPWD: "/home/me", HF_TOKEN: "hf_x" }), ["hf_x"]);
  });
});
