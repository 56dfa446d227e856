/**
 * Sentence embeddings from an ONNX encoder through onnxruntime-node (an optional dependency of this
 * workspace: loaded only when `--encoder` is given). The model takes `input_ids` (int64 [batch, tokens]) and
 * optionally `attention_mask` and `token_type_ids`, as BERT-family exports do; its output is either
 * sentence embeddings [batch, dim] (e.g. `sentence_embedding`) or token states [batch, tokens, dim] (e.g.
 * `last_hidden_state`), which are mean-pooled over the real tokens.
 */
import { WordPieceTokenizer } from "./wordpiece.js";

/**
 * The slice of onnxruntime-node's API used here. Declared locally so the repository builds without the
 * optional package installed; the trainer only needs it at run time, with --encoder.
 */
interface OrtTensor {
  readonly dims: readonly number[];
  readonly data: unknown;
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface OrtModule {
  readonly InferenceSession: { create(path: string): Promise<OrtSession> };
  readonly Tensor: new (type: "int64", data: BigInt64Array, dims: readonly number[]) => OrtTensor;
}

const ORT_PACKAGE = "onnxruntime-node";
const KNOWN_INPUTS = ["input_ids", "attention_mask", "token_type_ids"];
/** Output names preferred, in order, when a model has several; otherwise its first output. */
const PREFERRED_OUTPUTS = ["sentence_embedding", "pooler_output", "last_hidden_state"];
/** Sentences per encoder call: large enough to amortise the call, small enough to keep padding cheap. */
const ENCODE_BATCH = 64;

async function loadOrt(): Promise<OrtModule> {
  try {
    // A variable specifier keeps TypeScript from resolving the optional package at build time.
    const specifier: string = ORT_PACKAGE;
    const module = (await import(specifier)) as { default?: OrtModule } & Partial<OrtModule>;
    return (module.InferenceSession ? module : module.default) as OrtModule;
  } catch (err) {
    throw new Error(
      `--encoder needs the optional package ${ORT_PACKAGE} (${(err as Error).message}); install it at the repository root ` +
        `with ONNXRUNTIME_NODE_INSTALL=skip npm install (the CPU runtime ships inside the npm package)`,
    );
  }
}

export class OnnxSentenceEncoder {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    private readonly tokenizer: WordPieceTokenizer,
    private readonly maxLength: number,
    readonly outputName: string,
  ) {}

  static async open(modelPath: string, vocabPath: string, maxLength: number): Promise<OnnxSentenceEncoder> {
    const tokenizer = WordPieceTokenizer.fromFile(vocabPath);
    const ort = await loadOrt();
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(modelPath);
    } catch (err) {
      throw new Error(`cannot load ONNX encoder ${JSON.stringify(modelPath)}: ${(err as Error).message}`);
    }
    const unknown = session.inputNames.filter((name) => !KNOWN_INPUTS.includes(name));
    if (!session.inputNames.includes("input_ids") || unknown.length > 0) {
      await session.release();
      throw new Error(
        `ONNX encoder ${JSON.stringify(modelPath)} has inputs ${JSON.stringify(session.inputNames)}; expected input_ids, ` +
          `optionally with attention_mask and token_type_ids`,
      );
    }
    const outputName = PREFERRED_OUTPUTS.find((name) => session.outputNames.includes(name)) ?? session.outputNames[0]!;
    return new OnnxSentenceEncoder(ort, session, tokenizer, maxLength, outputName);
  }

  /** One embedding per sentence, in order. */
  async encode(sentences: readonly string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    for (let start = 0; start < sentences.length; start += ENCODE_BATCH) {
      out.push(...(await this.encodeBatch(sentences.slice(start, start + ENCODE_BATCH))));
    }
    return out;
  }

  async close(): Promise<void> {
    await this.session.release();
  }

  private async encodeBatch(sentences: readonly string[]): Promise<Float32Array[]> {
    const encoded = sentences.map((s) => this.tokenizer.encode(s, this.maxLength));
    const width = Math.max(...encoded.map((ids) => ids.length));
    const ids = new BigInt64Array(sentences.length * width).fill(BigInt(this.tokenizer.padId));
    const mask = new BigInt64Array(sentences.length * width);
    encoded.forEach((row, r) =>
      row.forEach((id, t) => {
        ids[r * width + t] = BigInt(id);
        mask[r * width + t] = 1n;
      }),
    );
    const dims = [sentences.length, width];
    const feeds: Record<string, OrtTensor> = { input_ids: new this.ort.Tensor("int64", ids, dims) };
    if (this.session.inputNames.includes("attention_mask")) feeds.attention_mask = new this.ort.Tensor("int64", mask, dims);
    if (this.session.inputNames.includes("token_type_ids")) {
      feeds.token_type_ids = new this.ort.Tensor("int64", new BigInt64Array(ids.length), dims);
    }
    const output = (await this.session.run(feeds))[this.outputName]!;
    if (!(output.data instanceof Float32Array)) throw new Error(`encoder output ${this.outputName} is not float32`);
    return poolRows(output.data, output.dims, encoded.map((row) => row.length), width);
  }
}

/** Rows of a [batch, dim] output, or the mean over each row's real tokens of a [batch, tokens, dim] one. */
export function poolRows(data: Float32Array, dims: readonly number[], lengths: readonly number[], width: number): Float32Array[] {
  if (dims.length === 2) {
    const dim = dims[1]!;
    return lengths.map((_, r) => data.slice(r * dim, (r + 1) * dim));
  }
  if (dims.length === 3 && dims[1] === width) {
    const dim = dims[2]!;
    return lengths.map((length, r) => {
      const pooled = new Float32Array(dim);
      for (let t = 0; t < length; t++) {
        const offset = (r * width + t) * dim;
        for (let j = 0; j < dim; j++) pooled[j]! += data[offset + j]!;
      }
      return pooled.map((value) => value / length);
    });
  }
  throw new Error(`encoder output has shape [${dims.join(", ")}]; expected [batch, dim] or [batch, ${width}, dim]`);
}
