#!/usr/bin/env node
/**
 * sts-hash: a dependency-free Korean STS regressor (hashed character n-grams + a small MLP, AdamW), the
 * trainer behind the offline quickstart. Hyperparameters come as `--key=value` arguments or $SWEEP_PARAMS;
 * per-epoch dev metrics go out through the sweep metric protocol (report.ts); a human log goes to stderr.
 *
 * Exit codes: 0 done (or stopped by SIGTERM), 1 runtime failure (e.g. unreadable data), 2 bad usage.
 * On SIGTERM, which the controller sends to prune a trial, it finishes the current batch, reports nothing
 * more and exits 0.
 */
import { parseTrainerArgs, usage, wantsHelp, UsageError } from "./args.js";
import { limitRows, loadStsFile } from "./data.js";
import { defaultDataPaths } from "./paths.js";
import { reportMetrics } from "./report.js";
import { trainStsRegressor } from "./trainer.js";

function log(message: string): void {
  process.stderr.write(`[sts-hash] ${message}\n`);
}

async function main(argv: readonly string[]): Promise<number> {
  // Installed first, so a prune that arrives while data loads is also handled gracefully.
  let stopRequested = false;
  process.on("SIGTERM", () => {
    stopRequested = true;
  });

  const paths = defaultDataPaths();
  if (wantsHelp(argv)) {
    process.stdout.write(usage(paths) + "\n");
    return 0;
  }
  let options;
  try {
    options = parseTrainerArgs(argv, process.env, paths);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`sts-hash: ${err.message}\n(run with --help for the parameter list)\n`);
      return 2;
    }
    throw err;
  }

  const train = limitRows(loadStsFile(options.trainPath), options.maxTrainRows);
  const dev = loadStsFile(options.devPath);
  log(
    `${options.modelName}: ${train.length} train / ${dev.length} dev pairs; lr=${options.lr} batch_size=${options.batchSize} ` +
      `epochs=${options.epochs} hidden=${options.hidden} hash_dim=${options.hashDim} loss=${options.loss} ` +
      `warmup_ratio=${options.warmupRatio} weight_decay=${options.weightDecay} seed=${options.seed}`,
  );

  const outcome = await trainStsRegressor(options, train, dev, {
    shouldStop: () => stopRequested,
    onEpoch: (r) => {
      reportMetrics(r.epoch, {
        train_loss: r.trainLoss,
        val_loss: r.valLoss,
        val_pearson: r.valPearson,
        val_spearman: r.valSpearman,
      });
      log(
        `epoch ${r.epoch}/${options.epochs}  train_loss ${r.trainLoss.toFixed(4)}  val_loss ${r.valLoss.toFixed(4)}  ` +
          `val_pearson ${r.valPearson.toFixed(4)}  val_spearman ${r.valSpearman.toFixed(4)}  ${r.seconds.toFixed(2)}s`,
      );
    },
  });
  if (outcome.stopped) log(`SIGTERM: stopped after ${outcome.completedEpochs.length} complete epoch(s)`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    // Not process.exit(): returning lets pending stderr output drain before the process ends.
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`sts-hash: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
