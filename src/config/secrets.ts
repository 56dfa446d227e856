/**
 * Which values of a sweep are secrets, and how to hide them wherever they would be shown or logged.
 *
 * Two kinds of secret (issue #14):
 *   - values that come from `${envvar:NAME}` command macros (`--token=${envvar:HF_TOKEN}`): the trainer
 *     needs them, nothing else does. Hidden by value, wherever they occur.
 *   - values of keys, flags and environment variables named like secrets (`api_key`, `--hf-token`,
 *     `WANDB_API_KEY`, `db_password`): hidden by name.
 *
 * A name is a secret's when one of its words is token, secret, password, passwd, passphrase, pwd, auth,
 * credential(s), apikey, or it has "api key", "access key" or "private key" in it. Words are split at
 * `_ - . /`, spaces and camelCase, so `hfToken`, `HF_TOKEN` and `x-api-key` count, while `max_tokens`,
 * `tokenizer`, `author` and `pad_token_id` (token ids are hyperparameters) do not.
 */
import { ENVVAR_MACRO_PREFIX } from "./keys.js";

/** What a secret is replaced with. */
export const REDACTED = "***";

/** Values shorter than this are not hidden inside other text (a one-character "secret" would blank the log); whole fields still are. */
export const MIN_SECRET_LENGTH = 4;

const SECRET_WORDS = new Set(["token", "secret", "secrets", "password", "passwd", "passphrase", "pwd", "auth", "credential", "credentials", "apikey"]);
const SECRET_PAIRS = new Set(["api key", "access key", "private key", "secret key", "client secret"]);
const SHELL_DIRECTORY_VARS = new Set(["PWD", "OLDPWD"]);
/** `*_token_id`, `*_token_ids`: token ids of a tokenizer, not access tokens. */
const NOT_AFTER_TOKEN = new Set(["id", "ids", "type", "types"]);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== "");
}

/** Whether a key, flag or environment variable named `name` holds a secret (see the module comment). */
export function isSecretName(name: string): boolean {
  // The shell's working directories, not passwords: hiding their values would hide every path under them.
  if (SHELL_DIRECTORY_VARS.has(name)) return false;
  const w = words(name);
  for (let i = 0; i < w.length; i++) {
    const word = w[i]!;
    if (SECRET_WORDS.has(word) && !(word === "token" && NOT_AFTER_TOKEN.has(w[i + 1] ?? ""))) return true;
    if (i + 1 < w.length && SECRET_PAIRS.has(`${word} ${w[i + 1]}`)) return true;
  }
  return false;
}

/** The values to hide by value: longest first, so a secret containing another is hidden whole. */
export function secretValueList(values: Iterable<string | undefined>): string[] {
  const unique = new Set<string>();
  for (const v of values) if (v !== undefined && v.length >= MIN_SECRET_LENGTH) unique.add(v);
  return [...unique].sort((a, b) => b.length - a.length);
}

/** Values of the environment variables named like secrets (`HF_TOKEN`, `WANDB_API_KEY`, ...). */
export function envSecretValues(env: Readonly<Record<string, string | undefined>>): string[] {
  return secretValueList(Object.entries(env).filter(([name]) => isSecretName(name)).map(([, value]) => value));
}

/** Values of every `${envvar:NAME}` a command template uses, read from `env` (unset ones are skipped). */
export function commandSecretValues(template: readonly string[] | undefined, env: Readonly<Record<string, string | undefined>>): string[] {
  const values: (string | undefined)[] = [];
  for (const token of template ?? []) {
    for (const match of token.matchAll(/\$\{([^}]*)\}/g)) {
      const macro = match[1]!;
      if (macro.startsWith(ENVVAR_MACRO_PREFIX)) values.push(env[macro.slice(ENVVAR_MACRO_PREFIX.length)]);
    }
  }
  return secretValueList(values);
}

/** `text` with every occurrence of the secret values replaced by `***`. */
export function redactText(text: string, secretValues: readonly string[]): string {
  let out = text;
  for (const secret of secretValues) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  return out;
}

/**
 * A copy of `value` with the values of secret-named keys replaced by `***`, at any depth (arrays and
 * plain objects are copied; other values are kept). Strings are also cleared of `secretValues`.
 */
export function redactSecrets<T>(value: T, secretValues: readonly string[] = []): T {
  return redactDeep(value, secretValues, 0) as T;
}

const MAX_DEPTH = 32;

function redactDeep(value: unknown, secretValues: readonly string[], depth: number): unknown {
  if (typeof value === "string") return redactText(value, secretValues);
  if (value === null || typeof value !== "object" || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secretValues, depth + 1));
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, isSecretName(k) && v !== null && v !== undefined ? REDACTED : redactDeep(v, secretValues, depth + 1)]),
  );
}

export interface ArgvSecrets {
  /** Indices of argv elements built from `${envvar:...}` macros (see `secretArgvIndices` in runner/command.ts). */
  readonly secretIndices?: Iterable<number>;
  /** Values to hide wherever they occur (envvar values, secret environment variables). */
  readonly secretValues?: readonly string[];
}

const ASSIGNMENT = /^(-{0,2})([A-Za-z_][\w.-]*)=/;
const FLAG = /^--?([A-Za-z_][\w.-]*)$/;
const LOOKS_LIKE_FLAG = /^--?[A-Za-z]/;

/**
 * An argv fit for a log line: elements from envvar macros hidden (their value, or the whole element when
 * the value is unknown), `--name=value`, `name=value` and `--name value` hidden when `name` is a secret's,
 * secret keys inside a JSON argument (`${args_json}`) hidden, and any known secret value hidden wherever it
 * occurs. `--token=abc` becomes `--token=***`.
 */
export function redactArgv(argv: readonly string[], secrets: ArgvSecrets = {}): string[] {
  const indices = new Set(secrets.secretIndices ?? []);
  const values = secrets.secretValues ?? [];
  const out: string[] = [];
  let hideNext = false;
  argv.forEach((element, i) => {
    let text = String(element);
    if (hideNext && !LOOKS_LIKE_FLAG.test(text)) {
      out.push(REDACTED);
      hideNext = false;
      return;
    }
    hideNext = false;
    if (indices.has(i)) {
      const masked = redactText(text, values);
      if (masked === text) {
        // The value is not known here: keep only a `--name=` the template wrote before it.
        const assignment = ASSIGNMENT.exec(text);
        out.push(assignment ? `${assignment[0]}${REDACTED}` : REDACTED);
        return;
      }
      text = masked;
    }
    const assignment = ASSIGNMENT.exec(text);
    const flag = FLAG.exec(text);
    if (assignment && isSecretName(assignment[2]!)) text = `${assignment[0]}${REDACTED}`;
    else if (flag && isSecretName(flag[1]!)) hideNext = true;
    else if (text.startsWith("{")) text = redactJsonArgument(text);
    out.push(redactText(text, values));
  });
  return out;
}

function redactJsonArgument(text: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  if (parsed === null || typeof parsed !== "object") return text;
  const redacted = JSON.stringify(redactSecrets(parsed));
  return redacted === JSON.stringify(parsed) ? text : redacted;
}
