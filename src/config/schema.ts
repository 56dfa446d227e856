/**
 * The JSON Schema of a sweep file (schema/sweep.schema.json), generated from the same key tables and
 * number rules the validator uses. Editors get completion and hover text from it
 * (`# yaml-language-server: $schema=../schema/sweep.schema.json`); the validator stays the authority,
 * since a schema cannot express everything (int inference from `1` vs `1.0`, min < max, sums to 1).
 */
import type { DistributionKind } from "../space/types.js";
import { numberRule } from "./distribution.js";
import {
  DISTRIBUTIONS,
  DISTRIBUTION_ALIASES,
  DISTRIBUTION_KINDS,
  EARLY_TERMINATE_DEFAULTS,
  EARLY_TERMINATE_KEYS,
  GOALS,
  METHODS,
  METRIC_KEYS,
  OBJECTIVES,
  PARAMETER_KEYS,
  PARAMETER_NAME_PATTERN,
  SWEEP_SETTING_KEYS,
  TOP_LEVEL_KEYS,
  WANDB_ONLY_METRIC_KEYS,
  WANDB_ONLY_TOP_LEVEL_KEYS,
  type EarlyTerminateKey,
  type MetricKey,
  type NumericParameterKey,
  type ParameterKey,
  type SweepSettingName,
  type TopLevelKey,
} from "./keys.js";
import type { NumberRule } from "./read.js";

type Schema = Record<string, unknown>;

/** Kinds W&B infers without a `distribution:` key, so the schema must not require it for them. */
const INFERABLE_KINDS: readonly DistributionKind[] = ["constant", "categorical", "int_uniform", "uniform"];

const DURATION_PATTERN = "^\\s*(\\d+(\\.\\d+)?\\s*(ms|s|m|h|d)\\s*)+$|^\\s*\\d+(\\.\\d+)?\\s*$";
const GPU_LIST_PATTERN = "^\\s*(all|\\d+(\\s*,\\s*\\d+)*)\\s*$";

function described(table: Readonly<Record<string, string>>, key: string, schema: Schema): Schema {
  return { description: table[key], ...schema };
}

function numberSchema(rule: NumberRule): Schema {
  return {
    type: rule.integer ? "integer" : "number",
    ...(rule.min !== undefined ? { minimum: rule.min } : {}),
    ...(rule.above !== undefined ? { exclusiveMinimum: rule.above } : {}),
  };
}

function parameterKeySchema(kind: DistributionKind, key: ParameterKey): Schema {
  const base = { description: PARAMETER_KEYS[key] };
  switch (key) {
    case "value":
      return base;
    case "values":
      return { ...base, type: "array", minItems: 1 };
    case "probabilities":
      return { ...base, type: "array", minItems: 1, items: { type: "number", minimum: 0 } };
    case "distribution":
    case "parameters":
      throw new Error(`${key} is not a distribution field`);
    default: {
      const numeric = key as NumericParameterKey;
      const fallback = DISTRIBUTIONS[kind].defaults[numeric];
      const defaults = fallback !== undefined ? { default: fallback } : {};
      return { ...base, ...numberSchema(numberRule(kind, numeric)), ...defaults };
    }
  }
}

function distributionSchema(kind: DistributionKind): Schema {
  const rule = DISTRIBUTIONS[kind];
  const names = [kind, ...Object.keys(DISTRIBUTION_ALIASES).filter((a) => DISTRIBUTION_ALIASES[a] === kind)];
  const inferable = INFERABLE_KINDS.includes(kind);
  return {
    type: "object",
    description: `${kind}: ${rule.description}`,
    required: [...(inferable ? [] : ["distribution"]), ...rule.required],
    properties: {
      distribution: { description: PARAMETER_KEYS.distribution, enum: names },
      ...Object.fromEntries(rule.keys.map((key) => [key, parameterKeySchema(kind, key)])),
    },
    additionalProperties: false,
  };
}

const topLevel: Record<TopLevelKey, Schema> = {
  method: { enum: [...METHODS] },
  metric: { $ref: "#/definitions/metric" },
  parameters: { $ref: "#/definitions/parameters" },
  program: { type: "string", minLength: 1 },
  command: { type: "array", minItems: 1, items: { type: ["string", "number"] } },
  early_terminate: { $ref: "#/definitions/early_terminate" },
  run_cap: { type: "integer", minimum: 1 },
  name: { type: "string", minLength: 1 },
  description: { type: "string" },
  project: { type: "string", minLength: 1 },
  entity: { type: "string", minLength: 1 },
  sweep: { $ref: "#/definitions/sweep" },
};

const metric: Record<MetricKey, Schema> = {
  name: { type: "string", minLength: 1 },
  goal: { enum: [...GOALS], default: "minimize" },
  target: { type: "number" },
};

const earlyTerminate: Record<EarlyTerminateKey, Schema> = {
  type: { enum: ["hyperband"] },
  min_iter: { type: "integer", minimum: 1 },
  max_iter: { type: "integer", minimum: 1 },
  s: { type: "integer", minimum: 1 },
  eta: { type: "number", exclusiveMinimum: 1, default: EARLY_TERMINATE_DEFAULTS.eta },
  strict: { type: "boolean", default: EARLY_TERMINATE_DEFAULTS.strict },
};

const positiveInteger = { type: "integer", minimum: 1 };
const sweepSettings: Record<SweepSettingName, Schema> = {
  seed: { type: "integer", minimum: 0 },
  storage: { type: "string", minLength: 1 },
  gpus: {
    anyOf: [
      { type: "string", pattern: GPU_LIST_PATTERN },
      { type: "integer", minimum: 0 },
      { type: "array", minItems: 1, uniqueItems: true, items: { type: "integer", minimum: 0 } },
    ],
  },
  trials_per_gpu: positiveInteger,
  gpus_per_trial: positiveInteger,
  parallel: positiveInteger,
  trial_timeout: { anyOf: [{ type: "number", exclusiveMinimum: 0 }, { type: "string", pattern: DURATION_PATTERN }] },
  max_retries: { type: "integer", minimum: 0 },
  objective: { enum: [...OBJECTIVES], default: "last" },
  sampler: { type: "object" },
  pruner: { type: "object" },
  wandb_shim: { type: "boolean", default: false },
  resources: {
    type: "array",
    items: {
      type: "object",
      required: ["when"],
      additionalProperties: false,
      properties: {
        when: {
          type: "object",
          minProperties: 1,
          additionalProperties: {
            anyOf: [
              { type: ["string", "number", "boolean", "null"] },
              { type: "array", minItems: 1, items: { type: ["string", "number", "boolean", "null"] } },
            ],
          },
        },
        gpus_per_trial: positiveInteger,
        trials_per_gpu: positiveInteger,
      },
      anyOf: [{ required: ["gpus_per_trial"] }, { required: ["trials_per_gpu"] }],
    },
  },
};

function settingDescription(key: SweepSettingName): string {
  const { description, flag } = SWEEP_SETTING_KEYS[key];
  return flag === "" ? description : `${description} Overridden by ${flag}.`;
}

function withDescriptions(table: Readonly<Record<string, string>>, schemas: Record<string, Schema>): Schema {
  return Object.fromEntries(Object.entries(schemas).map(([key, schema]) => [key, described(table, key, schema)]));
}

function ignoredKeys(table: Readonly<Record<string, string>>): Schema {
  return Object.fromEntries(Object.entries(table).map(([key, description]) => [key, { description }]));
}

export function buildSweepJsonSchema(): Schema {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "Sweep file",
    description:
      "A W&B-compatible sweep configuration plus the `sweep:` settings block. " +
      "Generated from src/config/keys.ts; see docs/sweep-file.md.",
    type: "object",
    required: ["method", "parameters"],
    properties: { ...withDescriptions(TOP_LEVEL_KEYS, topLevel), ...ignoredKeys(WANDB_ONLY_TOP_LEVEL_KEYS) },
    additionalProperties: false,
    definitions: {
      metric: {
        type: "object",
        required: ["name"],
        properties: { ...withDescriptions(METRIC_KEYS, metric), ...ignoredKeys(WANDB_ONLY_METRIC_KEYS) },
        additionalProperties: false,
      },
      early_terminate: {
        type: "object",
        required: ["type"],
        // As W&B's schema: max_iter needs s; with min_iter as well (then max_iter wins) the block is valid.
        anyOf: [{ required: ["max_iter", "s"] }, { required: ["min_iter"] }],
        properties: withDescriptions(EARLY_TERMINATE_KEYS, earlyTerminate),
        additionalProperties: false,
      },
      sweep: {
        type: "object",
        properties: Object.fromEntries(
          Object.entries(sweepSettings).map(([key, schema]) => [
            key,
            { description: settingDescription(key as SweepSettingName), ...schema },
          ]),
        ),
        additionalProperties: false,
      },
      parameters: {
        type: "object",
        description: "Parameter name -> definition.",
        propertyNames: { pattern: PARAMETER_NAME_PATTERN },
        minProperties: 1,
        additionalProperties: { $ref: "#/definitions/parameter" },
      },
      parameter: {
        anyOf: [
          { $ref: "#/definitions/nested_parameter" },
          ...DISTRIBUTION_KINDS.map((kind) => ({ $ref: `#/definitions/${kind}` })),
        ],
      },
      nested_parameter: {
        type: "object",
        required: ["parameters"],
        properties: { parameters: { description: PARAMETER_KEYS.parameters, $ref: "#/definitions/parameters" } },
        additionalProperties: false,
      },
      ...Object.fromEntries(DISTRIBUTION_KINDS.map((kind) => [kind, distributionSchema(kind)])),
    },
  };
}

/** The file content of schema/sweep.schema.json. */
export function renderSweepJsonSchema(): string {
  return `${JSON.stringify(buildSweepJsonSchema(), null, 2)}\n`;
}
