/**
 * Which storage a Slurm sweep may use. Workers on several nodes must share the storage over the network:
 * PostgreSQL is made for that. SQLite is not: its locks rely on POSIX file locking, which NFS and most
 * cluster filesystems implement loosely or not at all, so two nodes writing one SQLite file through them can
 * corrupt it silently (https://www.sqlite.org/faq.html#q5, "SQLite over a network filesystem"). SQLite is
 * therefore allowed only when every array task is sure to run on one node: the job names one node
 * (`--sbatch-arg=--nodelist=NODE`), or its partition has one node only.
 */
import { parseStorageLocation } from "../../storage/index.js";

export type StorageVerdict =
  | { readonly ok: true; /** Why this storage is fine, for the submit message. */ readonly note: string }
  | { readonly ok: false; readonly reason: string };

export interface Placement {
  /** The `--sbatch-arg` options: `--nodelist=X` / `-w X` pins every task to the nodes named. */
  readonly extraArgs: readonly string[];
  /** Nodes of the partition the job goes to (sinfo), or null when unknown. */
  readonly partitionNodes: readonly string[] | null;
  readonly partition?: string;
}

/** The node names a `--nodelist` / `-w` option in the extra args gives, or null when there is none. */
export function pinnedNodes(extraArgs: readonly string[]): string[] | null {
  // Each extra arg is one whole option (`--nodelist=gpu07`, `-wgpu07`): it becomes one #SBATCH line.
  let nodes: string[] | null = null;
  for (const a of extraArgs) {
    if (a.startsWith("--nodelist=")) nodes = expandHostlist(a.slice("--nodelist=".length));
    else if (a.startsWith("-w") && a.length > 2) nodes = expandHostlist(a.slice(2).replace(/^=/, ""));
  }
  return nodes; // the last one given wins, as in sbatch
}

/**
 * Slurm's hostlist notation, enough to count nodes: `a,b`, `gpu[01-03,07]`. A form it cannot read
 * counts as several nodes, so the safe answer (refuse SQLite) wins.
 */
export function expandHostlist(text: string): string[] {
  const names: string[] = [];
  for (const part of text.match(/[^,[]+(\[[^\]]*\])?[^,]*/g) ?? []) {
    const m = /^([^[]*)\[([^\]]*)\](.*)$/.exec(part);
    if (!m) {
      if (part.trim() !== "") names.push(part.trim());
      continue;
    }
    for (const range of m[2]!.split(",")) {
      const r = /^(\d+)(?:-(\d+))?$/.exec(range.trim());
      if (!r) return [text, `${text}?`]; // unreadable: treat as more than one node
      const from = Number(r[1]);
      const to = r[2] === undefined ? from : Number(r[2]);
      for (let n = from; n <= to; n++) names.push(`${m[1]}${String(n).padStart(r[1]!.length, "0")}${m[3]}`);
    }
  }
  return [...new Set(names)];
}

export function checkSlurmStorage(location: string, placement: Placement): StorageVerdict {
  const parsed = parseStorageLocation(location);
  if (parsed.kind === "postgresql") return { ok: true, note: "PostgreSQL: workers on any node share it" };
  if (parsed.kind === "memory") return { ok: false, reason: "an in-memory storage lives in one process; Slurm workers need a storage they can share: postgresql://user@host/db" };
  const pinned = pinnedNodes(placement.extraArgs);
  if (pinned !== null && pinned.length === 1) return { ok: true, note: `SQLite: every task is pinned to node ${pinned[0]} (--nodelist)` };
  if (pinned === null && placement.partitionNodes !== null && placement.partitionNodes.length === 1) {
    return { ok: true, note: `SQLite: partition ${placement.partition ?? "(default)"} has one node, ${placement.partitionNodes[0]}` };
  }
  const where =
    pinned !== null
      ? `--nodelist names ${pinned.length} nodes`
      : placement.partitionNodes === null
        ? "the partition's nodes could not be listed (sinfo)"
        : `partition ${placement.partition ?? "(default)"} has ${placement.partitionNodes.length} nodes`;
  return {
    ok: false,
    reason:
      `SQLite storage ${parsed.path} cannot be shared by workers on several nodes (${where}): SQLite's locking does not hold over NFS ` +
      `and other network filesystems, and concurrent writers from several nodes can corrupt the file. Use PostgreSQL ` +
      `(--storage postgresql://user@host/db, see docs/multi-host.md), or keep every task on one node with --sbatch-arg=--nodelist=NODE`,
  };
}
