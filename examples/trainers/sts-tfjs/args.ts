/**
 * Hyperparameters of the tfjs trainer: W&B-style `--key=value` (or `--key value`) arguments over the
 * SWEEP_PARAMS JSON object, the command line winning, as for sts-hash. Problems are UsageErrors (exit 2).
 */
import { UsageError, type DefaultPaths } from "../sts-hash/args.js";
import { LOSS_NAMES, type LossName } from "../sts-hash/loss.js";

export { UsageError };

/** The model over the pair features: linear only, or linear plus a ReLU hidden layer (`--hidden` units). */
export const MODEL_NAMES = ["wide", "wide_deep"] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export interface TfjsTrainerOptions {
  readonly lr: number;
  readonly batchSize: number;
  readonly warmupRatio: number;
  readonly weightDecay: number;
  readonly epochs: number;
  readonly loss: LossName;
  readonly modelName: ModelName;
  readonly hidden: number;
  readonly hashDim: number;
  readonly seed: number;
  readonly trainPath: string;
  readonly devPath: string;
  readonly maxTrainRows: number | undefined;
  /** ONNX sentence encoder; when set, its embeddings replace the hashed n-gram features. */
  readonly encoder: string | undefined;
  /** WordPiece vocabulary for the encoder (default: vocab.txt beside the model). */
  readonly vocab: string | undefined;
  /** Tokens per sentence fed to the encoder, [CLS] and [SEP] included. */
  readonly maxLength: number;
  /** Run on pure-JS tfjs even when a native backend is installed (reproducible across machines). */
  readonly pureJs: boolean;
}

export const PARAMS_ENV = "SWEEP_PARAMS";

interface Spec {
  readonly help: string;
  readonly defaultValue: (paths: DefaultPaths) => string | undefined;
  readonly parse: (raw: string) => number | string | boolean | Error;
}

function number(check: (n: number) => boolean, expected: string) {
  return (raw: string): number | Error => {
    const n = raw.trim() === "" ? Number.NaN : Number(raw);
    return Number.isFinite(n) && check(n) ? n : new Error(`expected ${expected}`);
  };
}

function oneOf(names: readonly string[]) {
  return (raw: string): string | Error => (names.includes(raw) ? raw : new Error(`expected one of ${names.join(", ")}`));
}

function path(raw: string): string | Error {
  return raw === "" ? new Error("expected a file path") : raw;
}

const isInt = Number.isInteger;

/**
 * Defaults: the pure-JS backend is slow at large matrix products, so hash_dim is 1024 (sts-hash uses 4096)
 * and the hidden layer 16 units: an epoch of the shipped sample takes about 0.8 s for wide_deep and 0.15 s
 * for wide on one core (64 units took 3 s an epoch and scored no better: 0.755 vs 0.767 after 4 epochs).
 */
const SPECS: Readonly<Record<string, Spec>> = {
  lr: { help: "peak learning rate", defaultValue: () => "0.003", parse: number((n) => n > 0, "a number > 0") },
  batch_size: { help: "examples per step", defaultValue: () => "16", parse: number((n) => isInt(n) && n >= 1, "an integer >= 1") },
  warmup_ratio: {
    help: "fraction of steps with linear warmup (then linear decay)",
    defaultValue: () => "0.1",
    parse: number((n) => n >= 0 && n <= 1, "a number in [0, 1]"),
  },
  weight_decay: { help: "decoupled (AdamW) weight decay", defaultValue: () => "0.01", parse: number((n) => n >= 0, "a number >= 0") },
  epochs: { help: "passes over the training data", defaultValue: () => "5", parse: number((n) => isInt(n) && n >= 1, "an integer >= 1") },
  loss: { help: LOSS_NAMES.join(" | "), defaultValue: () => "mse", parse: oneOf(LOSS_NAMES) },
  model_name: { help: MODEL_NAMES.join(" | "), defaultValue: () => "wide_deep", parse: oneOf(MODEL_NAMES) },
  hidden: {
    help: "hidden units of wide_deep",
    defaultValue: () => "16",
    parse: number((n) => isInt(n) && n >= 1 && n <= 4096, "an integer in [1, 4096]"),
  },
  hash_dim: {
    help: "hash buckets per sentence vector (hashed n-gram features)",
    defaultValue: () => "1024",
    parse: number((n) => isInt(n) && n >= 16 && n <= 65536, "an integer in [16, 65536]"),
  },
  seed: { help: "seed for initialisation and shuffling", defaultValue: () => "0", parse: number(isInt, "an integer") },
  train: { help: "training TSV", defaultValue: (p) => p.train, parse: path },
  dev: { help: "dev TSV", defaultValue: (p) => p.dev, parse: path },
  max_train_rows: { help: "use at most this many training rows", defaultValue: () => undefined, parse: number((n) => isInt(n) && n >= 1, "an integer >= 1") },
  encoder: { help: "ONNX sentence encoder (input_ids -> embeddings) instead of hashed n-grams", defaultValue: () => undefined, parse: path },
  vocab: { help: "WordPiece vocab.txt of the encoder (default: beside the model)", defaultValue: () => undefined, parse: path },
  max_length: {
    help: "encoder tokens per sentence",
    defaultValue: () => "128",
    parse: number((n) => isInt(n) && n >= 3 && n <= 4096, "an integer in [3, 4096]"),
  },
  pure_js: {
    help: "ignore tfjs-node(-gpu) even if installed (true | false)",
    defaultValue: () => "false",
    parse: (raw) => (raw === "true" || raw === "1" ? true : raw === "false" || raw === "0" ? false : new Error("expected true or false")),
  },
};

export function usage(paths: DefaultPaths): string {
  const lines = ["usage: train.js [--key=value | --key value] ...", "", `parameters (also read from $${PARAMS_ENV} as a JSON object):`];
  for (const [key, spec] of Object.entries(SPECS)) {
    const def = spec.defaultValue(paths);
    lines.push(`  --${key.padEnd(15)} ${spec.help}${def === undefined ? "" : ` (default ${def})`}`);
  }
  return lines.join("\n");
}

export function parseTfjsTrainerArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  paths: DefaultPaths,
): TfjsTrainerOptions {
  const raw = new Map<string, { value: string; source: string }>();
  for (const [key, value] of Object.entries(readEnvParams(env))) {
    raw.set(checkKey(key, `${PARAMS_ENV} key ${JSON.stringify(key)}`), { value, source: `${PARAMS_ENV}.${key}` });
  }
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!token.startsWith("--") || token === "--") {
      throw new UsageError(`unexpected argument ${JSON.stringify(token)}; expected --key=value or --key value`);
    }
    const eq = token.indexOf("=");
    const name = eq >= 0 ? token.slice(2, eq) : token.slice(2);
    const key = checkKey(name, `argument "--${name}"`);
    let value: string;
    if (eq >= 0) {
      value = token.slice(eq + 1);
    } else {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`argument "--${name}" needs a value`);
      value = next;
      i++;
    }
    raw.set(key, { value, source: `--${name}` });
  }

  const v: Record<string, number | string | boolean | undefined> = {};
  for (const [key, spec] of Object.entries(SPECS)) {
    const given = raw.get(key);
    const text = given?.value ?? spec.defaultValue(paths);
    if (text === undefined) continue;
    const parsed = spec.parse(text);
    if (parsed instanceof Error) {
      throw new UsageError(`${given?.source ?? `default --${key}`} = ${JSON.stringify(text)} is invalid: ${parsed.message}`);
    }
    v[key] = parsed;
  }
  return {
    lr: v.lr as number,
    batchSize: v.batch_size as number,
    warmupRatio: v.warmup_ratio as number,
    weightDecay: v.weight_decay as number,
    epochs: v.epochs as number,
    loss: v.loss as LossName,
    modelName: v.model_name as ModelName,
    hidden: v.hidden as number,
    hashDim: v.hash_dim as number,
    seed: v.seed as number,
    trainPath: v.train as string,
    devPath: v.dev as string,
    maxTrainRows: v.max_train_rows as number | undefined,
    encoder: v.encoder as string | undefined,
    vocab: v.vocab as string | undefined,
    maxLength: v.max_length as number,
    pureJs: v.pure_js as boolean,
  };
}

/** SWEEP_PARAMS as key -> string; a sweep passes numbers, strings and booleans. */
function readEnvParams(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const text = env[PARAMS_ENV];
  if (text === undefined || text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${PARAMS_ENV} is not valid JSON (${(err as Error).message}): ${JSON.stringify(text)}`);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new UsageError(`${PARAMS_ENV} must be a JSON object of parameters, got ${JSON.stringify(text)}`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (typeof value !== "number" && typeof value !== "string" && typeof value !== "boolean") {
      throw new UsageError(`${PARAMS_ENV}.${key} must be a number, string or boolean, got ${JSON.stringify(value)}`);
    }
    out[key] = String(value);
  }
  return out;
}

function checkKey(name: string, what: string): string {
  const key = name.replace(/-/g, "_");
  if (Object.hasOwn(SPECS, key)) return key;
  throw new UsageError(`unknown ${what}; known parameters: ${Object.keys(SPECS).map((k) => `--${k}`).join(", ")}`);
}
