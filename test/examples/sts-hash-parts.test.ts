/** The sts-hash trainer's parts, each checked against values worked out by hand or by finite differences. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseTrainerArgs, UsageError } from "../../examples/trainers/sts-hash/args.js";
import { limitRows, parseStsTsv, type StsPair } from "../../examples/trainers/sts-hash/data.js";
import { HashingFeaturiser, sparseDot, type SparseVector } from "../../examples/trainers/sts-hash/features.js";
import { LOSS_NAMES, lossGradient, lossValue } from "../../examples/trainers/sts-hash/loss.js";
import { averageRanks, pearson, spearman } from "../../examples/trainers/sts-hash/metrics.js";
import { StsRegressor } from "../../examples/trainers/sts-hash/model.js";
import { AdamW } from "../../examples/trainers/sts-hash/optimizer.js";
import { formatMetricsLine } from "../../examples/trainers/sts-hash/report.js";
import { Rng } from "../../examples/trainers/sts-hash/rng.js";
import { warmupLinearDecay, warmupStepsFor } from "../../examples/trainers/sts-hash/schedule.js";

const close = (actual: number, expected: number, tolerance = 1e-9) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} is not within ${tolerance} of ${expected}`);

describe("metrics", () => {
  it("pearson matches a hand-computed value and is 0 for a constant side", () => {
    // x = 1,2,3,4; y = 2,1,4,3: cov sum = 3, sxx = syy = 5, r = 0.6.
    close(pearson([1, 2, 3, 4], [2, 1, 4, 3]), 0.6);
    close(pearson([1, 2, 3], [10, 20, 30]), 1);
    assert.equal(pearson([1, 2, 3], [5, 5, 5]), 0);
  });

  it("spearman uses average ranks for ties", () => {
    assert.deepEqual([...averageRanks([10, 20, 20, 5])], [2, 3.5, 3.5, 1]);
    // Monotone but non-linear: Spearman 1 where Pearson is not.
    close(spearman([1, 2, 3, 4], [1, 8, 27, 1000]), 1);
    assert.ok(pearson([1, 2, 3, 4], [1, 8, 27, 1000]) < 0.9);
  });

  it("refuses mismatched or too-short inputs", () => {
    assert.throws(() => pearson([1, 2], [1]), /equal lengths, got 2 and 1/);
    assert.throws(() => spearman([1], [1]), /at least 2 values/);
  });
});

describe("AdamW", () => {
  it("takes a first step of exactly lr per parameter in the gradient's direction (bias correction)", () => {
    // Without bias correction the first step would be lr * 0.1 / sqrt(0.001) ≈ 3.16 lr.
    const params = Float64Array.from([1, -2, 0.5]);
    const opt = new AdamW(3, { weightDecay: 0, eps: 0 }, []);
    opt.step(params, Float64Array.from([0.3, -7, 1e-4]), 0.01);
    assert.deepEqual([...params].map((p) => Number(p.toFixed(12))), [0.99, -1.99, 0.49]);
  });

  it("matches a hand-computed second step", () => {
    const params = Float64Array.from([0]);
    const opt = new AdamW(1, { weightDecay: 0, eps: 0 }, []);
    opt.step(params, Float64Array.from([1]), 0.1); // p = -0.1
    opt.step(params, Float64Array.from([3]), 0.1);
    const m = 0.9 * 0.1 + 0.1 * 3; // 0.39
    const v = 0.999 * 0.001 + 0.001 * 9; // 0.009999
    const expected = -0.1 - (0.1 * (m / (1 - 0.81))) / Math.sqrt(v / (1 - 0.999 ** 2));
    close(params[0]!, expected, 1e-12);
  });

  it("decays only the given ranges, by lr * weight_decay, independently of the gradient", () => {
    const params = Float64Array.from([2, 2, 2, 2]);
    const opt = new AdamW(4, { weightDecay: 0.5 }, [[1, 3]]);
    opt.step(params, new Float64Array(4), 0.1); // zero gradient: Adam moves nothing, decay still applies
    assert.deepEqual([...params], [2, 2 * 0.95, 2 * 0.95, 2]);
  });
});

describe("learning-rate schedule", () => {
  it("warms up linearly, then decays linearly towards zero", () => {
    const total = 10;
    const warmup = warmupStepsFor(0.2, total);
    assert.equal(warmup, 2);
    const multipliers = Array.from({ length: total }, (_, i) => warmupLinearDecay(i + 1, total, warmup));
    assert.deepEqual(multipliers.map((m) => Number(m.toFixed(4))), [0.5, 1, 1, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125]);
    assert.equal(warmupLinearDecay(1, total, 0), 1);
  });
});

describe("losses", () => {
  it("have the gradients their values imply (central differences)", () => {
    for (const kind of LOSS_NAMES) {
      for (const [prediction, target] of [[3.2, 1.0], [2.0, 2.4], [0.3, 4.5]] as const) {
        const h = 1e-6;
        const numeric = (lossValue(kind, prediction + h, target) - lossValue(kind, prediction - h, target)) / (2 * h);
        close(lossGradient(kind, prediction, target), numeric, 1e-5);
      }
    }
    assert.equal(lossValue("smooth_l1", 3, 1), 1.5);
    assert.equal(lossValue("smooth_l1", 1.5, 1), 0.125);
  });
});

describe("StsRegressor", () => {
  const x: SparseVector = { indices: Int32Array.from([0, 3, 7]), values: Float64Array.from([0.5, -1.2, 2.0]) };

  for (const hidden of [0, 5]) {
    it(`backpropagates the exact gradient (hidden = ${hidden})`, () => {
      const model = new StsRegressor({ inputDim: 8, hidden, maxScore: 5, initialPrediction: 2.5, inputInitStd: 0.7 }, new Rng(3));
      // Give every parameter a non-zero value so no gradient is trivially zero.
      const rng = new Rng(4);
      for (let i = 0; i < model.params.length; i++) model.params[i] = 0.3 * rng.normal();
      const target = 4.1;
      const loss = () => lossValue("mse", model.predict(x), target);
      model.grads.fill(0);
      model.accumulateGradient(x, (p) => lossGradient("mse", p, target), 1);
      const h = 1e-6;
      for (let i = 0; i < model.params.length; i++) {
        const saved = model.params[i]!;
        model.params[i] = saved + h;
        const up = loss();
        model.params[i] = saved - h;
        const down = loss();
        model.params[i] = saved;
        close(model.grads[i]!, (up - down) / (2 * h), 1e-6);
      }
    });
  }

  it("starts at the initial prediction and keeps predictions within [0, 5]", () => {
    const model = new StsRegressor({ inputDim: 8, hidden: 4, maxScore: 5, initialPrediction: 3.2, inputInitStd: 0.1 }, new Rng(1));
    close(model.predict(x), 3.2, 1e-12); // zero output layer and zero wide weights: only the bias speaks
    for (let i = 0; i < model.params.length; i++) model.params[i] = 100;
    const p = model.predict(x);
    assert.ok(p >= 0 && p <= 5, `prediction ${p}`);
  });
});

describe("HashingFeaturiser", () => {
  const featuriser = new HashingFeaturiser({ hashDim: 1024, minOrder: 1, maxOrder: 3 });
  const dense = (v: SparseVector) => {
    const out = new Float64Array(featuriser.featureCount);
    v.indices.forEach((index, k) => (out[index] = v.values[k]!));
    return out;
  };

  it("gives identical sentences cosine 1 in every order and no difference features", () => {
    const a = featuriser.sentence("남자가 말을 타고 있다.");
    const x = dense(featuriser.pair(a, a));
    const denseStart = 2 * 1024;
    assert.deepEqual([...x.subarray(denseStart)].map((v) => Number(v.toFixed(12))), [1, 1, 1, 1]);
    assert.ok(x.subarray(1024, 2048).every((v) => v === 0));
  });

  it("scores sentences sharing a stem above unrelated ones, with sorted indices", () => {
    const a = featuriser.sentence("남자가 기타를 치고 있다");
    const similar = featuriser.sentence("남자는 기타를 치고 있다");
    const unrelated = featuriser.sentence("비행기가 이륙하고 있다");
    assert.ok(sparseDot(a.combined, similar.combined) > sparseDot(a.combined, unrelated.combined) + 0.3);
    const pair = featuriser.pair(a, unrelated);
    for (let k = 1; k < pair.indices.length; k++) assert.ok(pair.indices[k]! > pair.indices[k - 1]!);
    assert.ok(pair.indices.at(-1)! < featuriser.featureCount);
  });

  it("normalises whitespace and case before hashing", () => {
    const a = featuriser.sentence("A  man\tplays");
    const b = featuriser.sentence(" a man plays ");
    assert.deepEqual(a.combined, b.combined);
  });
});

describe("argument parsing", () => {
  const paths = { train: "/default/train.tsv", dev: "/default/dev.tsv" };

  it("reads --key=value and --key value, with defaults for the rest", () => {
    const o = parseTrainerArgs(["--lr=0.02", "--batch_size", "8", "--loss=smooth_l1", "--batch-size=4"], {}, paths);
    assert.equal(o.lr, 0.02);
    assert.equal(o.batchSize, 4); // the later spelling wins, and hyphens are accepted
    assert.equal(o.loss, "smooth_l1");
    assert.equal(o.trainPath, "/default/train.tsv");
    assert.equal(o.maxTrainRows, undefined);
    assert.equal(o.modelName, "sts-hash");
  });

  it("takes SWEEP_PARAMS and lets argv override it", () => {
    const env = { SWEEP_PARAMS: JSON.stringify({ lr: 0.05, hidden: 8, model_name: "x" }) };
    const o = parseTrainerArgs(["--hidden=32"], env, paths);
    assert.equal(o.lr, 0.05);
    assert.equal(o.hidden, 32);
    assert.equal(o.modelName, "x");
  });

  it("names the offending argument or key in every error", () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [["--epoch=3"], {}, /unknown argument "--epoch" \(did you mean --epochs\?\)/],
      [["lr=0.1"], {}, /unexpected argument "lr=0.1"/],
      [["--lr"], {}, /"--lr" needs a value/],
      [["--warmup_ratio=1.5"], {}, /--warmup_ratio = "1.5" is invalid: expected a number in \[0, 1\]/],
      [["--loss=huber"], {}, /--loss = "huber" is invalid: expected one of mse, l1, smooth_l1/],
      [[], { SWEEP_PARAMS: "{lr: 1}" }, /SWEEP_PARAMS is not valid JSON/],
      [[], { SWEEP_PARAMS: "[1]" }, /SWEEP_PARAMS must be a JSON object/],
      [[], { SWEEP_PARAMS: '{"dropout": 0.1}' }, /unknown SWEEP_PARAMS key "dropout"/],
      [[], { SWEEP_PARAMS: '{"epochs": 2.5}' }, /SWEEP_PARAMS.epochs = "2.5" is invalid: expected an integer >= 1/],
    ];
    for (const [argv, env, message] of cases) {
      assert.throws(() => parseTrainerArgs(argv, env, paths), (err: unknown) => err instanceof UsageError && message.test(err.message));
    }
  });
});

describe("data loading", () => {
  const header = "genre\tfilename\tyear\tid\tscore\tsentence1\tsentence2";

  it("finds columns by name and skips blank lines", () => {
    const pairs = parseStsTsv(`${header}\ng\tf\t2012\t1\t4.5\t가\t나\n\n`, "t.tsv");
    assert.deepEqual(pairs, [{ sentence1: "가", sentence2: "나", score: 4.5 }]);
  });

  it("reports the file and line of a bad score or a missing column", () => {
    assert.throws(() => parseStsTsv(`${header}\ng\tf\t2012\t1\t7\t가\t나`, "t.tsv"), /t\.tsv:2: score "7" is not a number in \[0, 5\]/);
    assert.throws(() => parseStsTsv("score\tsentence1\n1\ta", "t.tsv"), /t\.tsv: header has no "sentence2" column/);
  });

  it("limits rows to a fixed subset kept in file order", () => {
    const pairs: StsPair[] = Array.from({ length: 50 }, (_, i) => ({ sentence1: `${i}`, sentence2: "", score: 1 }));
    const subset = limitRows(pairs, 10);
    assert.equal(subset.length, 10);
    assert.deepEqual(limitRows(pairs, 10), subset);
    const order = subset.map((p) => Number(p.sentence1));
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    assert.notDeepEqual(order, Array.from({ length: 10 }, (_, i) => i), "not simply the first rows");
    assert.equal(limitRows(pairs, undefined).length, 50);
  });
});

describe("metric line format", () => {
  it("puts the step first and round-trips numbers exactly", () => {
    const line = formatMetricsLine(2, { val_pearson: 0.1 + 0.2, "odd \"name\"": -1e-300 });
    assert.equal(line, '{"step":2,"val_pearson":0.30000000000000004,"odd \\"name\\"":-1e-300}\n');
    assert.deepEqual(JSON.parse(line), { step: 2, val_pearson: 0.1 + 0.2, 'odd "name"': -1e-300 });
  });

  it("writes non-finite values as Python's json.dumps does, and refuses non-numbers", () => {
    const line = formatMetricsLine(1, { a: Number.NaN, b: Number.POSITIVE_INFINITY, c: Number.NEGATIVE_INFINITY });
    assert.equal(line, '{"step":1,"a":NaN,"b":Infinity,"c":-Infinity}\n');
    assert.throws(() => formatMetricsLine(0, {}), /integer >= 1, got 0/);
    assert.throws(() => formatMetricsLine(1, { step: 3 }), /reserved/);
    assert.throws(() => formatMetricsLine(1, { label: "x" as unknown as number }), /"label" must be a number, got "x"/);
  });
});

describe("Rng", () => {
  it("is reproducible per seed and roughly uniform", () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const draws = Array.from({ length: 1000 }, () => a.next());
    assert.deepEqual(draws, Array.from({ length: 1000 }, () => b.next()));
    assert.notEqual(new Rng(43).next(), new Rng(42).next());
    const mean = draws.reduce((s, d) => s + d, 0) / draws.length;
    close(mean, 0.5, 0.05);
    assert.ok(draws.every((d) => d >= 0 && d < 1));
  });
});
