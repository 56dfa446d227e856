/** Regression losses on the score scale, with their derivative in the prediction. */
export const LOSS_NAMES = ["mse", "l1", "smooth_l1"] as const;
export type LossName = (typeof LOSS_NAMES)[number];

/** Huber transition point for smooth_l1, PyTorch's default (beta = 1). */
const SMOOTH_L1_BETA = 1;

export function lossValue(kind: LossName, prediction: number, target: number): number {
  const d = prediction - target;
  switch (kind) {
    case "mse":
      return d * d;
    case "l1":
      return Math.abs(d);
    case "smooth_l1": {
      const a = Math.abs(d);
      return a < SMOOTH_L1_BETA ? (0.5 * d * d) / SMOOTH_L1_BETA : a - 0.5 * SMOOTH_L1_BETA;
    }
  }
}

/** d loss / d prediction. */
export function lossGradient(kind: LossName, prediction: number, target: number): number {
  const d = prediction - target;
  switch (kind) {
    case "mse":
      return 2 * d;
    case "l1":
      return Math.sign(d);
    case "smooth_l1":
      return Math.abs(d) < SMOOTH_L1_BETA ? d / SMOOTH_L1_BETA : Math.sign(d);
  }
}
