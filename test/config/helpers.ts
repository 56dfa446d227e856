/** Shared helpers for the config tests: parse expecting success, or expecting a ConfigError. */
import assert from "node:assert/strict";
import { ConfigError, parseSweepConfig, type ParseOptions } from "../../src/config/index.js";
import type { Diagnostic, ResolvedSweep } from "../../src/config/types.js";
import type { Distribution } from "../../src/space/types.js";

export function parseOk(text: string, opts: ParseOptions = {}): ResolvedSweep {
  return parseSweepConfig(text, opts);
}

export function parseFails(text: string, opts: ParseOptions = {}): ConfigError {
  let caught: unknown;
  try {
    parseSweepConfig(text, opts);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  return caught;
}

/** A minimal valid file around one `parameters:` body (indented by the caller with 2 spaces). */
export function withParameters(body: string, method = "random"): string {
  return `method: ${method}\nmetric:\n  name: loss\nparameters:\n${body}`;
}

/** The distribution of the single parameter `p` declared by `body` (a flow mapping). */
export function distOf(flow: string, method = "random"): Distribution {
  const sweep = parseOk(withParameters(`  p: ${flow}\n`, method));
  assert.equal(sweep.space.params.length, 1);
  return sweep.space.params[0]!.dist;
}

/** The diagnostics of `error` reduced to what tests compare: "line:col path". */
export function where(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.line}:${d.column} ${d.path}`);
}
