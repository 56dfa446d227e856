/**
 * AdamW (Loshchilov & Hutter) on tfjs variables: Adam with bias correction, and weight decay applied to
 * the weights directly (w -= lr * weight_decay * w) instead of through the gradient, so it does not get
 * rescaled by Adam's per-weight step sizes. tfjs has no AdamW, and its Adam takes no per-step learning
 * rate, which the warmup/decay schedule needs.
 */
import type * as tfTypes from "@tensorflow/tfjs";
import type { Tf } from "./backend.js";

export interface AdamWOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  readonly weightDecay: number;
}

export class AdamW {
  private readonly m = new Map<string, tfTypes.Variable>();
  private readonly v = new Map<string, tfTypes.Variable>();
  private steps = 0;
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  constructor(
    private readonly tf: Tf,
    private readonly variables: Readonly<Record<string, tfTypes.Variable>>,
    private readonly decayed: ReadonlySet<string>,
    private readonly options: AdamWOptions,
  ) {
    // PyTorch's defaults, so results compare with the Python trainer's.
    this.beta1 = options.beta1 ?? 0.9;
    this.beta2 = options.beta2 ?? 0.999;
    this.epsilon = options.epsilon ?? 1e-8;
    for (const [name, variable] of Object.entries(variables)) {
      this.m.set(name, tf.variable(tf.zerosLike(variable), false));
      this.v.set(name, tf.variable(tf.zerosLike(variable), false));
    }
  }

  /** Steps taken so far. */
  get stepCount(): number {
    return this.steps;
  }

  /** One update with learning rate `lr` (already scheduled). */
  step(grads: Readonly<Record<string, tfTypes.Tensor>>, lr: number): void {
    const tf = this.tf;
    this.steps++;
    const correction1 = 1 - this.beta1 ** this.steps;
    const correction2 = 1 - this.beta2 ** this.steps;
    tf.tidy(() => {
      for (const [name, variable] of Object.entries(this.variables)) {
        const g = grads[name];
        if (g === undefined) throw new Error(`no gradient for variable ${name}`);
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), this.epsilon));
        let next = tf.sub(variable, tf.mul(update, lr));
        if (this.decayed.has(name) && this.options.weightDecay > 0) {
          next = tf.sub(next, tf.mul(variable, lr * this.options.weightDecay));
        }
        variable.assign(next);
      }
    });
  }

  dispose(): void {
    for (const state of [...this.m.values(), ...this.v.values()]) state.dispose();
  }
}
