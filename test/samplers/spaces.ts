/** Search spaces the sampler tests share. */
import type { SearchSpace } from "../../src/space/types.js";

/** One parameter of every distribution kind (int, q, log, normal, beta, weighted categorical, constant). */
export const EVERY_KIND_SPACE: SearchSpace = {
  params: [
    { name: "lr", path: ["lr"], dist: { kind: "log_uniform_values", min: 1e-6, max: 1e-3 } },
    { name: "batch", path: ["batch"], dist: { kind: "categorical", values: [8, 16, 32], probabilities: [0.2, 0.5, 0.3] } },
    { name: "layers", path: ["layers"], dist: { kind: "int_uniform", min: 1, max: 6 } },
    { name: "drop", path: ["drop"], dist: { kind: "q_uniform", min: 0, max: 0.5, q: 0.05 } },
    { name: "hidden", path: ["hidden"], dist: { kind: "q_log_uniform_values", min: 32, max: 1024, q: 32 } },
    { name: "noise", path: ["noise"], dist: { kind: "normal", mu: 0, sigma: 1 } },
    { name: "scale", path: ["scale"], dist: { kind: "log_normal", mu: 0, sigma: 0.5 } },
    { name: "beta", path: ["beta"], dist: { kind: "beta", a: 2, b: 2 } },
    { name: "inv", path: ["inv"], dist: { kind: "inv_log_uniform_values", min: 0.01, max: 1 } },
    { name: "epochs", path: ["epochs"], dist: { kind: "constant", value: 3 } },
  ],
};
