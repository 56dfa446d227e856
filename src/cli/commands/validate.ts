/**
 * `sweep validate FILE...`: check sweep files and print the resolved search space.
 * Exit 0 when every file is valid (warnings allowed), 3 when any has an error.
 */
import type { CommandModule } from "yargs";
import { ConfigError, describeSpace, formatDiagnostic, loadSweepFile } from "../../config/index.js";
import type { ResolvedSweep } from "../../config/types.js";
import { checkGlobalArgs, printJson, type GlobalArgs, type OutputFormat } from "../context.js";
import { argument, choice } from "../flags.js";
import { ExitCode } from "../../exit-codes.js";
import { escapeControl } from "../../terminal-text.js";

interface ValidateArgs extends GlobalArgs {
  readonly files?: string[];
  readonly lenient?: boolean;
  readonly format?: string;
}

export const validateCommand: CommandModule<GlobalArgs, ValidateArgs> = {
  command: "validate <files..>",
  describe: "Check sweep files and print their resolved search space",
  builder: (y) =>
    y
      .positional("files", { type: "string", array: true, demandOption: true, describe: "Sweep files (.yaml, .yml, .json)" })
      .option("lenient", { type: "boolean", default: false, describe: "Unknown keys are warnings, not errors (as the W&B service)" })
      .option("format", { choices: ["table", "json"] as const, requiresArg: true, default: "table", describe: "Output format" }),
  handler: (args) => {
    // validate reads no storage, but a malformed --storage or --log-format is refused as everywhere else.
    checkGlobalArgs(args);
    const format = choice(args.format, "--format", ["table", "json"] as const) ?? ("table" as OutputFormat);
    const files = (args.files ?? []).map((file) => argument(file, "files"));
    const results = files.map((file) => validateOne(file, args.lenient ?? false));
    if (format === "json") printJson(results.map(toJson));
    else for (const r of results) printHuman(r);
    if (results.some((r) => !r.ok)) process.exitCode = ExitCode.invalidConfig;
  },
};

type Outcome =
  | { readonly ok: true; readonly file: string; readonly resolved: ResolvedSweep }
  | { readonly ok: false; readonly file: string; readonly error: ConfigError };

function validateOne(file: string, lenient: boolean): Outcome {
  try {
    return { ok: true, file, resolved: loadSweepFile(file, { lenient }) };
  } catch (error) {
    if (error instanceof ConfigError) return { ok: false, file, error };
    throw error;
  }
}

function printHuman(r: Outcome): void {
  const file = escapeControl(r.file);
  if (!r.ok) {
    const errors = r.error.diagnostics.filter((d) => d.severity === "error").length;
    process.stderr.write(`${file}: invalid (${errors} error${errors === 1 ? "" : "s"})\n`);
    for (const d of r.error.diagnostics) process.stderr.write(`  ${d.severity}: ${formatDiagnostic(d)}\n`);
    return;
  }
  const { config, space, warnings } = r.resolved;
  for (const w of warnings) process.stderr.write(`  warning: ${formatDiagnostic(w)}\n`);
  const metric = config.metric ? `${config.metric.goal} ${escapeControl(config.metric.name)}` : "none";
  const lines = [
    `${file}: valid`,
    `  name:     ${config.name !== undefined ? escapeControl(config.name) : "(unnamed)"}`,
    `  method:   ${config.method}`,
    `  metric:   ${metric}`,
  ];
  if (config.early_terminate) {
    const et = config.early_terminate;
    const bound = et.min_iter !== undefined ? `min_iter ${et.min_iter}` : `max_iter ${et.max_iter}`;
    lines.push(`  early_terminate: ${et.type}, ${bound}, eta ${et.eta}${et.s !== undefined ? `, s ${et.s}` : ""}, strict ${et.strict}`);
  }
  if (config.run_cap !== undefined) lines.push(`  run_cap:  ${config.run_cap}`);
  lines.push(`  parameters (${space.params.length}):`);
  for (const line of describeSpace(space)) lines.push(`    ${line}`);
  process.stdout.write(lines.join("\n") + "\n");
}

function toJson(r: Outcome): unknown {
  if (!r.ok) return { file: r.file, valid: false, diagnostics: r.error.diagnostics };
  return { file: r.file, valid: true, warnings: r.resolved.warnings, config: r.resolved.config, space: r.resolved.space };
}
