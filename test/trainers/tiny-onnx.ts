/**
 * Writes tiny ONNX models for the tests, so no model is downloaded: a minimal protobuf encoder for the few
 * ModelProto fields a one-node graph needs (field numbers from onnx/onnx.proto).
 */

/** Protobuf wire format: varints, and length-delimited fields (strings, bytes, nested messages). */
class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];

  varint(field: number, value: number): this {
    return this.tag(field, 0).raw(varint(value));
  }

  bytes(field: number, data: Uint8Array): this {
    return this.tag(field, 2).raw(varint(data.length)).raw(data);
  }

  string(field: number, text: string): this {
    return this.bytes(field, new TextEncoder().encode(text));
  }

  message(field: number, build: (w: ProtoWriter) => void): this {
    const inner = new ProtoWriter();
    build(inner);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return Buffer.concat(this.chunks);
  }

  private tag(field: number, wireType: number): this {
    return this.raw(varint(field * 8 + wireType));
  }

  private raw(data: Uint8Array): this {
    this.chunks.push(data);
    return this;
  }
}

function varint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`varint needs a non-negative safe integer, got ${value}`);
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

const FLOAT = 1;
const INT64 = 7;

/** ValueInfoProto of a tensor whose dimensions are names (symbolic) or sizes. */
function valueInfo(w: ProtoWriter, name: string, elemType: number, dims: readonly (string | number)[]): void {
  w.string(1, name).message(2, (type) =>
    type.message(1, (tensor) =>
      tensor.varint(1, elemType).message(2, (shape) => {
        for (const d of dims) shape.message(1, (dim) => (typeof d === "number" ? dim.varint(1, d) : dim.string(2, d)));
      }),
    ),
  );
}

/**
 * A token-embedding "encoder": last_hidden_state[b, t] = embedding[input_ids[b, t]], with an
 * attention_mask input as BERT exports have (the trainer pools over it). `embedding` is [vocab, dim].
 */
export function embeddingEncoderModel(embedding: Float32Array, vocabSize: number, dim: number): Uint8Array {
  if (embedding.length !== vocabSize * dim) throw new Error(`embedding has ${embedding.length} values, expected ${vocabSize}x${dim}`);
  const model = new ProtoWriter();
  model.varint(1, 8); // ir_version
  model.string(2, "sweep-tests");
  model.message(8, (opset) => opset.string(1, "").varint(2, 13));
  model.message(7, (graph) => {
    graph.message(1, (node) => node.string(1, "embedding").string(1, "input_ids").string(2, "last_hidden_state").string(3, "lookup").string(4, "Gather"));
    graph.string(2, "tiny-encoder");
    graph.message(5, (tensor) => {
      tensor.varint(1, vocabSize).varint(1, dim).varint(2, FLOAT).string(8, "embedding");
      tensor.bytes(9, new Uint8Array(embedding.buffer, embedding.byteOffset, embedding.byteLength));
    });
    graph.message(11, (w) => valueInfo(w, "input_ids", INT64, ["batch", "tokens"]));
    graph.message(11, (w) => valueInfo(w, "attention_mask", INT64, ["batch", "tokens"]));
    graph.message(12, (w) => valueInfo(w, "last_hidden_state", FLOAT, ["batch", "tokens", dim]));
  });
  return model.finish();
}
