/**
 * Hyperparameters of the tfjs trainer: W&B-style `--key=value` (or `--key value`) arguments over the
 * SWEEP_PARAMS JSON object, the command line winning, as for sts-hash. Problems are UsageErrors (exit 2).
 */
import { boolean, filePath, number, oneOf, parseParams, usageText, type ParamSpecs } from "../common/params.js";
import type { DefaultPaths } from "../sts-hash/args.js";
import { LOSS_NAMES, type LossName } from "../sts-hash/loss.js";

export { UsageError } from "../common/params.js";

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

const isInt = Number.isInteger;

/**
 * Defaults: the pure-JS backend is slow at large matrix products, so hash_dim is 1024 (sts-hash uses 4096)
 * and the hidden layer 16 units: an epoch of the shipped sample takes about 0.8 s for wide_deep and 0.15 s
 * for wide on one core (64 units took 3 s an epoch and scored no better: 0.755 vs 0.767 after 4 epochs).
 */
const SPECS: ParamSpecs<DefaultPaths> = {
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
  train: { help: "training TSV", defaultValue: (p) => p.train, parse: filePath },
  dev: { help: "dev TSV", defaultValue: (p) => p.dev, parse: filePath },
  max_train_rows: { help: "use at most this many training rows", defaultValue: () => undefined, parse: number((n) => isInt(n) && n >= 1, "an integer >= 1") },
  encoder: { help: "ONNX sentence encoder (input_ids -> embeddings) instead of hashed n-grams", defaultValue: () => undefined, parse: filePath },
  vocab: { help: "WordPiece vocab.txt of the encoder (default: beside the model)", defaultValue: () => undefined, parse: filePath },
  max_length: {
    help: "encoder tokens per sentence",
    defaultValue: () => "128",
    parse: number((n) => isInt(n) && n >= 3 && n <= 4096, "an integer in [3, 4096]"),
  },
  pure_js: {
    help: "ignore tfjs-node(-gpu) even if installed (true | false)",
    defaultValue: () => "false",
    parse: boolean,
  },
};

export function usage(paths: DefaultPaths): string {
  return usageText(SPECS, paths);
}

export function parseTfjsTrainerArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  paths: DefaultPaths,
): TfjsTrainerOptions {
  const v = parseParams(SPECS, argv, env, paths);
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
