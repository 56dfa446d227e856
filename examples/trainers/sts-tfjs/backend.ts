/**
 * Which TensorFlow.js backend the trainer runs on. `@tensorflow/tfjs` alone is pure JavaScript (the "cpu"
 * backend): it installs from npm with nothing downloaded, and is fast enough for the small models here. The
 * native bindings, `@tensorflow/tfjs-node-gpu` (CUDA) and `@tensorflow/tfjs-node` (libtensorflow on the
 * CPU), download libtensorflow when installed, so they are not dependencies: when one is installed it is
 * used, tried in that order, and the trainer says which one it got.
 */
import * as tf from "@tensorflow/tfjs";

export type Tf = typeof tf;

export interface TfBackend {
  readonly tf: Tf;
  /** tf.getBackend() after start-up: "tensorflow" for the native bindings, "cpu" for pure JS. */
  readonly name: string;
  /** The native package that was loaded, or null when running on pure JS. */
  readonly nativePackage: string | null;
  /** Why each native package was not used (not installed, or failed to load), for the log. */
  readonly skipped: readonly string[];
}

/** Tried in order; the first that loads registers the "tensorflow" backend with tfjs. */
export const NATIVE_PACKAGES = ["@tensorflow/tfjs-node-gpu", "@tensorflow/tfjs-node"] as const;

/**
 * Load the fastest backend available. `preferPureJs` skips the native packages (the tests use it so their
 * results do not depend on what happens to be installed).
 */
export async function loadBackend(preferPureJs = false): Promise<TfBackend> {
  const skipped: string[] = [];
  let nativePackage: string | null = null;
  if (!preferPureJs) {
    for (const name of NATIVE_PACKAGES) {
      try {
        await import(name);
        nativePackage = name;
        break;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        skipped.push(code === "ERR_MODULE_NOT_FOUND" ? `${name} not installed` : `${name} failed to load: ${(err as Error).message}`);
      }
    }
  }
  if (nativePackage === null || !(await tf.setBackend("tensorflow"))) {
    await tf.setBackend("cpu");
  }
  await tf.ready();
  // PROD turns off tfjs's debug checks and its "install tfjs-node" banner; the trainer logs the backend itself.
  tf.env().set("PROD", true);
  return { tf, name: tf.getBackend(), nativePackage, skipped };
}

/** One line for the log, e.g. "tfjs 4.22.0 on backend cpu (pure JavaScript; @tensorflow/tfjs-node not installed)". */
export function describeBackend(backend: TfBackend): string {
  const head = `tfjs ${backend.tf.version.tfjs} on backend ${backend.name}`;
  if (backend.nativePackage !== null) return `${head} (native, from ${backend.nativePackage})`;
  return `${head} (pure JavaScript${backend.skipped.length > 0 ? `; ${backend.skipped.join("; ")}` : ""})`;
}
