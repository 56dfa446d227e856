/**
 * schema/sweep.schema.json and the validator accept the same keys at every position. The schema file is
 * generated from the validator's key tables; these tests catch a stale file and, independently of the
 * tables, probe the validator with every key the schema lists (and some it does not).
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ConfigError, DISTRIBUTION_KINDS, parseSweepConfig, renderSweepJsonSchema } from "../../src/config/index.js";
import type { Diagnostic } from "../../src/config/types.js";
import { repoRoot } from "../helpers/paths.js";

interface ObjectSchema {
  properties: Record<string, { enum?: string[] }>;
  required?: string[];
}

const schemaPath = join(repoRoot, "schema", "sweep.schema.json");
const schemaText = readFileSync(schemaPath, "utf8");
const schema = JSON.parse(schemaText) as ObjectSchema & { definitions: Record<string, ObjectSchema> };

/** Diagnostics of a parse, whether it succeeded (warnings) or failed (all). */
function diagnosticsOf(text: string): readonly Diagnostic[] {
  try {
    return parseSweepConfig(text).warnings;
  } catch (error) {
    if (error instanceof ConfigError) return error.diagnostics;
    throw error;
  }
}

/** Key paths the validator refused as not belonging where they are. */
function refusedKeys(text: string): string[] {
  return diagnosticsOf(text)
    .filter((d) => /unknown key|unknown top-level key|does not apply|not allowed beside/.test(d.message))
    .map((d) => d.path);
}

const minimal = "method: random\nmetric: {name: loss}\nparameters:\n  x: {value: 1}\n";
const keysOf = (s: ObjectSchema) => Object.keys(s.properties).sort();

describe("schema/sweep.schema.json", () => {
  it("is up to date with the validator's key tables", () => {
    assert.equal(
      schemaText,
      renderSweepJsonSchema(),
      "regenerate it: npm run build && node -e \"import('./dist/src/config/schema.js').then(m => process.stdout.write(m.renderSweepJsonSchema()))\" > schema/sweep.schema.json",
    );
  });

  it("lists exactly the top-level keys the validator accepts", () => {
    for (const key of keysOf(schema)) {
      assert.deepEqual(refusedKeys(`${minimal}${key}: 1\n`), [], `validator refuses top-level "${key}"`);
    }
    assert.deepEqual(refusedKeys(`${minimal}methods: 1\n`), ["methods"]);
    assert.deepEqual(schema.required, ["method", "parameters"]);
  });

  it("lists exactly the metric, early_terminate and sweep keys the validator accepts", () => {
    const blocks: [string, string, string][] = [
      ["metric", "metric", "method: random\nparameters:\n  x: {value: 1}\nmetric:\n  name: loss\n"],
      ["early_terminate", "early_terminate", `${minimal}early_terminate:\n  type: hyperband\n`],
      ["sweep", "sweep", `${minimal}sweep:\n`],
    ];
    for (const [definition, path, prefix] of blocks) {
      const keys = keysOf(schema.definitions[definition]!);
      for (const key of keys) {
        if (prefix.includes(`  ${key}:`)) continue;
        assert.deepEqual(refusedKeys(`${prefix}  ${key}: 1\n`), [], `validator refuses ${path}.${key}`);
      }
      assert.deepEqual(refusedKeys(`${prefix}  bogus_key: 1\n`), [`${path}.bogus_key`]);
    }
  });

  it("lists the same distribution kinds, each with the keys the validator reads for it", () => {
    const parameterKeys = new Set<string>();
    const schemaKinds = new Set<string>();
    for (const kind of DISTRIBUTION_KINDS) {
      const definition = schema.definitions[kind];
      assert.ok(definition, `schema has no definition for ${kind}`);
      const keys = keysOf(definition).filter((k) => k !== "distribution");
      for (const name of definition.properties["distribution"]!.enum!) schemaKinds.add(name);
      keys.forEach((k) => parameterKeys.add(k));
      const required = definition.required!.filter((k) => k !== "distribution");
      const base = [`distribution: ${kind}`, ...required.map((k) => `${k}: ${k === "values" ? "[1, 2]" : k === "max" ? 9 : 1}`)];
      for (const key of keys) {
        if (required.includes(key)) continue;
        const value = key === "probabilities" ? "[0.5, 0.5]" : "1";
        const text = `${minimal}  p: {${[...base, `${key}: ${value}`].join(", ")}}\n`;
        assert.deepEqual(refusedKeys(text), [], `validator refuses ${kind}.${key}`);
      }
      for (const other of ["value", "values", "min", "max", "q", "mu", "sigma", "a", "b"]) {
        if (keys.includes(other)) continue;
        const text = `${minimal}  p: {${[...base, `${other}: 1`].join(", ")}}\n`;
        assert.deepEqual(refusedKeys(text), [`parameters.p.${other}`], `validator accepts ${other} for ${kind}`);
      }
    }
    for (const name of schemaKinds) {
      const value = name.startsWith("categorical") ? "values: [1], probabilities: [1]" : "value: 1";
      const known = diagnosticsOf(`${minimal}  p: {distribution: ${name}, ${value}}\n`).filter((d) =>
        /unknown distribution/.test(d.message),
      );
      assert.deepEqual(known, [], `validator does not know distribution ${name}`);
    }
    assert.deepEqual(keysOf(schema.definitions["nested_parameter"]!), ["parameters"]);
    parameterKeys.add("distribution").add("parameters");
    const probe = `${minimal}  p: {valeus: [1]}\n`;
    assert.deepEqual(refusedKeys(probe), ["parameters.p.valeus"]);
    const suggested = diagnosticsOf(probe)[0]!.expected!.replace(/^one of /, "").split(", ").sort();
    assert.deepEqual(suggested, [...parameterKeys].sort());
  });
});
