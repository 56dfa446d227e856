/**
 * Host-wide GPU slot leases: the one place where every controller and agent on this host, whatever storage
 * it uses, agrees on which GPU places are taken.
 *
 * A trial of `trials_per_gpu: N` takes a share of 1/N of each of its GPUs, and a GPU holds shares up to 1 in
 * all: two trials of N=2, or one of N=1, whichever sweeps they belong to. A controller takes its shares
 * before it claims a trial (or, with per-model rules, before it launches the trial it claimed), and gives them
 * back when the trial's processes are gone. So two `sweep run`s, a `sweep run` and a `sweep agent`, or a
 * resume next to a live controller, never put more on a GPU than it was meant to hold.
 *
 * The leases live in a small SQLite file in a host-local folder (`$SWEEP_LEASE_DIR`, default
 * `<tmpdir>/sweep-gpu-leases`), changed only inside `BEGIN IMMEDIATE` transactions, so taking a lease is
 * atomic across processes. A lease is alive while its owner (a controller: pid + start time) is alive, or
 * while any process carrying its launch token is alive: a trainer whose controller was killed keeps its GPU
 * place until it is gone, and a dead controller's lease is taken over without anyone cleaning up.
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findTokenProcesses } from "./launch-token.js";
import { isSameProcess } from "./process-identity.js";

export const LEASE_DIR_VAR = "SWEEP_LEASE_DIR";

export function defaultLeaseDir(env: NodeJS.ProcessEnv = process.env): string {
  return env[LEASE_DIR_VAR] || join(tmpdir(), "sweep-gpu-leases");
}

export interface LeaseOwner {
  readonly pid: number;
  readonly startTime: string | null;
}

export interface LeaseHolder {
  readonly gpu: string;
  /** The holder's `trials_per_gpu`: it holds 1/perGpu of the GPU. */
  readonly perGpu: number;
  readonly ownerPid: number | null;
  readonly token: string;
  readonly sweepId: string | null;
  readonly trialNumber: number | null;
}

export type LeaseResult = { readonly ok: true } | { readonly ok: false; readonly holders: readonly LeaseHolder[] };

/** Shares are fractions 1/N; sums are compared with this slack so that 1/3 + 1/3 + 1/3 fits. */
const SHARE_SLACK = 1e-9;

interface LeaseRow {
  gpu: string;
  per_gpu: number;
  token: string;
  owner_pid: number | null;
  owner_start: string | null;
  sweep_id: string | null;
  trial_number: number | null;
}

interface FollowerRow {
  token: string;
  owner_pid: number;
  owner_start: string | null;
}

export class LeaseBook {
  private readonly db: Database.Database;

  private constructor(
    readonly path: string,
    private readonly owner: LeaseOwner,
  ) {
    this.db = new Database(path, { timeout: 10_000 });
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    // followers: which controller follows each trial attempt on this host (GPU or CPU), so exactly one
    // controller re-attaches to an orphaned trainer. leases: the GPU places each attempt holds.
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS followers (
        token TEXT PRIMARY KEY, owner_pid INTEGER NOT NULL, owner_start TEXT,
        sweep_id TEXT, trial_number INTEGER, since TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS shares (
        gpu TEXT NOT NULL, token TEXT NOT NULL, per_gpu INTEGER NOT NULL, acquired_at TEXT NOT NULL,
        PRIMARY KEY (gpu, token));`);
  }

  static open(dir: string, owner: LeaseOwner): LeaseBook {
    mkdirSync(dir, { recursive: true, mode: 0o1777 });
    return new LeaseBook(join(dir, "leases.db"), owner);
  }

  private isMe(pid: number | null, start: string | null): boolean {
    return pid === this.owner.pid && start === this.owner.startTime;
  }

  /** A lease binds while the controller following its trial lives, or any process of the trial does. */
  private alive(row: LeaseRow): boolean {
    if (row.owner_pid !== null && (this.isMe(row.owner_pid, row.owner_start) || isSameProcess(row.owner_pid, row.owner_start))) return true;
    return findTokenProcesses({ token: row.token }).length > 0;
  }

  private leaseRows(gpu: string): LeaseRow[] {
    return this.db
      .prepare<[string], LeaseRow>(
        `SELECT l.gpu, l.per_gpu, l.token, f.owner_pid, f.owner_start, f.sweep_id, f.trial_number
         FROM shares l LEFT JOIN followers f ON f.token = l.token WHERE l.gpu = ?`,
      )
      .all(gpu);
  }

  private follow(token: string, about: LeaseAbout): void {
    this.db
      .prepare("INSERT OR REPLACE INTO followers (token, owner_pid, owner_start, sweep_id, trial_number, since) VALUES (?, ?, ?, ?, ?, ?)")
      .run(token, this.owner.pid, this.owner.startTime, about.sweepId ?? null, about.trialNumber ?? null, new Date().toISOString());
  }

  /**
   * The live holders that leave no room for a share of 1/perGpu on some GPU of `gpus` (none when it fits), and
   * the largest share already taken on any of them. Leases of dead holders are dropped on the way (nobody else
   * cleans up after a dead controller).
   */
  private room(gpus: readonly string[], perGpu: number, token: string): { holders: LeaseHolder[]; used: number } {
    const holders: LeaseHolder[] = [];
    let most = 0;
    for (const gpu of gpus) {
      const live: LeaseRow[] = [];
      for (const row of this.leaseRows(gpu)) {
        if (row.token === token) continue;
        if (this.alive(row)) live.push(row);
        else this.db.prepare("DELETE FROM shares WHERE gpu = ? AND token = ?").run(row.gpu, row.token);
      }
      const used = live.reduce((sum, r) => sum + 1 / r.per_gpu, 0);
      most = Math.max(most, used);
      if (used + 1 / perGpu > 1 + SHARE_SLACK) holders.push(...live.map(toHolder));
    }
    return { holders, used: most };
  }

  private putShares(gpus: readonly string[], perGpu: number, token: string): void {
    const put = this.db.prepare("INSERT OR REPLACE INTO shares (gpu, token, per_gpu, acquired_at) VALUES (?, ?, ?, ?)");
    const now = new Date().toISOString();
    for (const gpu of gpus) put.run(gpu, token, perGpu, now);
  }

  /**
   * Takes a share of 1/perGpu of every GPU in `gpus`, all or nothing, under `token`, followed by this
   * controller. Fails with the current holders when a GPU has no room. `gpus` empty (a CPU slot): only the
   * follower record is written.
   */
  acquire(gpus: readonly string[], perGpu: number, token: string, about: LeaseAbout = {}): LeaseResult {
    const result = this.acquireAny([gpus], perGpu, token, about);
    return result.ok ? { ok: true } : result;
  }

  /**
   * Like `acquire`, for one of `groups` that has room, in one transaction; says which group. The emptiest
   * group wins (then the first), so trials spread over the GPUs before they share one. Fails with the
   * holders that block every group.
   */
  acquireAny(groups: readonly (readonly string[])[], perGpu: number, token: string, about: LeaseAbout = {}): { readonly ok: true; readonly gpus: readonly string[] } | { readonly ok: false; readonly holders: readonly LeaseHolder[] } {
    const take = this.db.transaction(() => {
      const blocking = new Map<string, LeaseHolder>();
      let best: { gpus: readonly string[]; used: number } | null = null;
      for (const gpus of groups) {
        const { holders, used } = this.room(gpus, perGpu, token);
        for (const h of holders) blocking.set(`${h.gpu}/${h.token}`, h);
        if (holders.length === 0 && (best === null || used < best.used - SHARE_SLACK)) best = { gpus, used };
      }
      if (best === null) return { ok: false as const, holders: [...blocking.values()] };
      this.putShares(best.gpus, perGpu, token);
      this.follow(token, about);
      return { ok: true as const, gpus: best.gpus };
    });
    return take.immediate();
  }

  /** Renames a lease's token (the placeholder taken before the claim becomes the trial's launch token). */
  retoken(from: string, to: string, about: LeaseAbout = {}): void {
    this.db.transaction(() => {
      this.db.prepare("UPDATE shares SET token = ? WHERE token = ?").run(to, from);
      this.db.prepare("DELETE FROM followers WHERE token = ?").run(from);
      this.follow(to, about);
    }).immediate();
  }

  /**
   * This controller becomes the one that follows an orphaned trial (its controller died), exactly once per
   * host: false when another live controller follows it already. When its GPU leases are missing (the lease
   * folder was wiped) they are taken again where places are free.
   */
  adopt(token: string, gpus: readonly string[], perGpu: number, about: LeaseAbout = {}): boolean {
    const take = this.db.transaction((): boolean => {
      const row = this.db.prepare<[string], FollowerRow>("SELECT token, owner_pid, owner_start FROM followers WHERE token = ?").get(token);
      if (row && !this.isMe(row.owner_pid, row.owner_start) && isSameProcess(row.owner_pid, row.owner_start)) return false;
      this.follow(token, about);
      const held = this.db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM shares WHERE token = ?").get(token)!.n;
      // The trainer runs on these GPUs whatever the book says: its shares are put back even over the limit.
      if (held === 0 && gpus.length > 0) {
        this.room(gpus, perGpu, token); // only to drop dead holders' leases
        this.putShares(gpus, perGpu, token);
      }
      return true;
    });
    return take.immediate();
  }

  release(token: string): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM shares WHERE token = ?").run(token);
      this.db.prepare("DELETE FROM followers WHERE token = ?").run(token);
    }).immediate();
  }

  /** Every GPU lease (for tests and diagnostics). */
  list(): LeaseHolder[] {
    return this.db
      .prepare<[], LeaseRow>(
        `SELECT l.gpu, l.per_gpu, l.token, f.owner_pid, f.owner_start, f.sweep_id, f.trial_number
         FROM shares l LEFT JOIN followers f ON f.token = l.token ORDER BY l.gpu, l.acquired_at`,
      )
      .all()
      .map(toHolder);
  }

  close(): void {
    this.db.close();
  }
}

export interface LeaseAbout {
  readonly sweepId?: string;
  readonly trialNumber?: number;
}

function toHolder(row: LeaseRow): LeaseHolder {
  return { gpu: row.gpu, perGpu: row.per_gpu, ownerPid: row.owner_pid, token: row.token, sweepId: row.sweep_id, trialNumber: row.trial_number };
}
