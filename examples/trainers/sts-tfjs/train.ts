#!/usr/bin/env node
/**
 * sts-tfjs: a KorSTS regressor in TypeScript on TensorFlow.js. Features are hashed character n-grams
 * (nothing to download), or with `--encoder model.onnx` sentence embeddings from an ONNX encoder run by
 * onnxruntime-node. Hyperparameters come as `--key=value` or $SWEEP_PARAMS; per-epoch dev metrics go out
 * through the sweep metric protocol (sts-hash's report.ts); a human log, including the tfjs backend in
 * use, goes to stderr.
 *
 * Exit codes: 0 done (or stopped by SIGTERM), 1 runtime failure, 2 bad usage. On SIGTERM (a prune) it
 * finishes the current batch, reports nothing more and exits 0.
 */
import { dirname, join } from "node:path";
import { wantsHelp } from "../common/params.js";
import { limitRows, loadStsFile, type StsPair } from "../sts-hash/data.js";
import { defaultDataPaths } from "../sts-hash/paths.js";
import { reportMetrics } from "../sts-hash/report.js";
import { parseTfjsTrainerArgs, usage, UsageError, type TfjsTrainerOptions } from "./args.js";
import { describeBackend, loadBackend } from "./backend.js";
import { embeddingPairFeatures, hashedPairFeatures, type FeatureMatrix } from "./features.js";
import { OnnxSentenceEncoder } from "./onnx-encoder.js";
import { trainTfStsRegressor, type LabelledFeatures } from "./trainer.js";

function log(message: string): void {
  process.stderr.write(`[sts-tfjs] ${message}\n`);
}

async function main(argv: readonly string[]): Promise<number> {
  let stopRequested = false;
  process.on("SIGTERM", () => {
    stopRequested = true;
  });

  const paths = defaultDataPaths();
  if (wantsHelp(argv)) {
    process.stdout.write(usage(paths) + "\n");
    return 0;
  }
  let options: TfjsTrainerOptions;
  try {
    options = parseTfjsTrainerArgs(argv, process.env, paths);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`sts-tfjs: ${err.message}\n(run with --help for the parameter list)\n`);
      return 2;
    }
    throw err;
  }

  const backend = await loadBackend(options.pureJs);
  log(describeBackend(backend));
  const trainPairs = limitRows(loadStsFile(options.trainPath), options.maxTrainRows);
  const devPairs = loadStsFile(options.devPath);
  const started = performance.now();
  const [train, dev] = await featurise(options, trainPairs, devPairs);
  log(
    `${options.modelName}: ${train.features.rows} train / ${dev.features.rows} dev pairs, ${train.features.cols} features ` +
      `(${options.encoder ? `ONNX encoder ${options.encoder}` : `hashed char 1-3 grams, hash_dim=${options.hashDim}`}, ` +
      `${((performance.now() - started) / 1000).toFixed(2)}s); lr=${options.lr} batch_size=${options.batchSize} epochs=${options.epochs} ` +
      `hidden=${options.modelName === "wide_deep" ? options.hidden : 0} loss=${options.loss} warmup_ratio=${options.warmupRatio} ` +
      `weight_decay=${options.weightDecay} seed=${options.seed}`,
  );

  const outcome = await trainTfStsRegressor(backend.tf, options, train, dev, {
    shouldStop: () => stopRequested,
    onEpoch: (r) => {
      reportMetrics(r.epoch, { train_loss: r.trainLoss, val_loss: r.valLoss, val_pearson: r.valPearson, val_spearman: r.valSpearman });
      log(
        `epoch ${r.epoch}/${options.epochs}  train_loss ${r.trainLoss.toFixed(4)}  val_loss ${r.valLoss.toFixed(4)}  ` +
          `val_pearson ${r.valPearson.toFixed(4)}  val_spearman ${r.valSpearman.toFixed(4)}  ${r.seconds.toFixed(2)}s`,
      );
    },
  });
  if (outcome.stopped) log(`SIGTERM: stopped after ${outcome.completedEpochs.length} complete epoch(s)`);
  return 0;
}

async function featurise(options: TfjsTrainerOptions, train: readonly StsPair[], dev: readonly StsPair[]): Promise<[LabelledFeatures, LabelledFeatures]> {
  const labelled = (pairs: readonly StsPair[], features: FeatureMatrix): LabelledFeatures => ({
    features,
    scores: Float32Array.from(pairs, (p) => p.score),
  });
  if (options.encoder === undefined) {
    return [labelled(train, hashedPairFeatures(train, options.hashDim)), labelled(dev, hashedPairFeatures(dev, options.hashDim))];
  }
  const vocab = options.vocab ?? join(dirname(options.encoder), "vocab.txt");
  const encoder = await OnnxSentenceEncoder.open(options.encoder, vocab, options.maxLength);
  try {
    log(`encoder ${options.encoder}: output ${encoder.outputName}, vocabulary ${vocab}`);
    const embed = async (pairs: readonly StsPair[]) =>
      embeddingPairFeatures(await encoder.encode(pairs.map((p) => p.sentence1)), await encoder.encode(pairs.map((p) => p.sentence2)));
    return [labelled(train, await embed(train)), labelled(dev, await embed(dev))];
  } finally {
    await encoder.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`sts-tfjs: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
