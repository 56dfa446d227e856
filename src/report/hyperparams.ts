/**
 * The hyperparameters people ask about first (learning rate, batch size, warmup, weight decay) under the
 * names trainers commonly give them, and the parameter that says which model a trial trained.
 */

export type HyperparameterRole = "lr" | "batch_size" | "warmup" | "weight_decay";

export interface RoleSpec {
  readonly role: HyperparameterRole;
  /** Column header when sweeps name the parameter differently. */
  readonly label: string;
  /** Names in order of preference (Hugging Face TrainingArguments names first). */
  readonly names: readonly string[];
}

export const HYPERPARAMETER_ROLES: readonly RoleSpec[] = [
  { role: "lr", label: "lr", names: ["learning_rate", "lr", "learning-rate", "learningrate", "max_lr", "peak_lr"] },
  {
    role: "batch_size",
    label: "batch_size",
    names: ["per_device_train_batch_size", "batch_size", "train_batch_size", "per_gpu_train_batch_size", "batch-size", "batchsize", "bs"],
  },
  {
    role: "warmup",
    label: "warmup",
    names: ["warmup_ratio", "warmup_steps", "num_warmup_steps", "warmup_proportion", "warmup", "warmup_epochs", "warmup-ratio", "warmup-steps"],
  },
  { role: "weight_decay", label: "weight_decay", names: ["weight_decay", "wd", "weight-decay", "weightdecay"] },
];

/** Parameters that name the trained model, in order of preference, when `--by` is not given. */
export const MODEL_KEYS: readonly string[] = ["model_name", "model", "model_name_or_path"];

/**
 * The parameter among `names` that plays `role`: an exact name first (by preference), then a nested one whose
 * last dotted part matches (`optimizer.lr`). Undefined when none does.
 */
export function findRoleParam(names: readonly string[], role: RoleSpec): string | undefined {
  for (const candidate of role.names) if (names.includes(candidate)) return candidate;
  for (const candidate of role.names) {
    const nested = names.find((n) => n.endsWith(`.${candidate}`));
    if (nested) return nested;
  }
  return undefined;
}

/** The first of `MODEL_KEYS` among `names`, if any. */
export function findModelKey(names: readonly string[]): string | undefined {
  return MODEL_KEYS.find((key) => names.includes(key));
}
