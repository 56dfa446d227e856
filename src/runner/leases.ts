/**
 * Host-wide GPU slot leases: the one place where every controller and agent on this host, whatever storage
 * it uses, agrees on which GPU places are taken.
 *
 * A GPU with `trials_per_gpu: N` has places 0..N-1. A controller takes a lease on one place of each GPU of a
 * slot before it claims a trial for that slot, and gives it back when the trial's processes are gone. So two
 * `sweep run`s, a `sweep run` and a `sweep agent`, or a resume next to a live controller, never put more
 * trainers on a GPU than its places.
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
  readonly place: number;
  readonly ownerPid: number | null;
  readonly token: string;
  readonly sweepId: string | null;
  readonly trialNumber: number | null;
}

export type LeaseResult = { readonly ok: true } | { readonly ok: false; readonly holders: readonly LeaseHolder[] };

interface LeaseRow {
  gpu: string;
  place: number;
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
      CREATE TABLE IF NOT EXISTS leases (
        gpu TEXT NOT NULL, place INTEGER NOT NULL, token TEXT NOT NULL, acquired_at TEXT NOT NULL,
        PRIMARY KEY (gpu, place));`);
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
        `SELECT l.gpu, l.place, l.token, f.owner_pid, f.owner_start, f.sweep_id, f.trial_number
         FROM leases l LEFT JOIN followers f ON f.token = l.token WHERE l.gpu = ?`,
      )
      .all(gpu);
  }

  private follow(token: string, about: LeaseAbout): void {
    this.db
      .prepare("INSERT OR REPLACE INTO followers (token, owner_pid, owner_start, sweep_id, trial_number, since) VALUES (?, ?, ?, ?, ?, ?)")
      .run(token, this.owner.pid, this.owner.startTime, about.sweepId ?? null, about.trialNumber ?? null, new Date().toISOString());
  }

  /** Free places for every GPU of `gpus` (null when one has none), with the holders that block. */
  private freePlaces(gpus: readonly string[], places: number, token: string): { chosen: [string, number][]; holders: LeaseHolder[] } {
    const chosen: [string, number][] = [];
    const holders: LeaseHolder[] = [];
    for (const gpu of gpus) {
      const rows = this.leaseRows(gpu);
      let free: number | null = null;
      for (let place = 0; place < places && free === null; place++) {
        const row = rows.find((r) => r.place === place);
        if (!row || row.token === token || !this.alive(row)) free = place;
      }
      if (free === null) holders.push(...rows.filter((r) => r.place < places).map(toHolder));
      else chosen.push([gpu, free]);
    }
    return { chosen, holders };
  }

  private putLeases(chosen: readonly [string, number][], token: string): void {
    const put = this.db.prepare("INSERT OR REPLACE INTO leases (gpu, place, token, acquired_at) VALUES (?, ?, ?, ?)");
    const now = new Date().toISOString();
    for (const [gpu, place] of chosen) put.run(gpu, place, token, now);
  }

  /**
   * Takes one free place (of `places`) on every GPU in `gpus`, all or nothing, under `token`, followed by this
   * controller. Fails with the current holders when a GPU has no free place. `gpus` empty (a CPU slot): only
   * the follower record is written.
   */
  acquire(gpus: readonly string[], places: number, token: string, about: LeaseAbout = {}): LeaseResult {
    const take = this.db.transaction((): LeaseResult => {
      const { chosen, holders } = this.freePlaces(gpus, places, token);
      if (holders.length > 0) return { ok: false, holders };
      this.putLeases(chosen, token);
      this.follow(token, about);
      return { ok: true };
    });
    return take.immediate();
  }

  /** Renames a lease's token (the placeholder taken before the claim becomes the trial's launch token). */
  retoken(from: string, to: string, about: LeaseAbout = {}): void {
    this.db.transaction(() => {
      this.db.prepare("UPDATE leases SET token = ? WHERE token = ?").run(to, from);
      this.db.prepare("DELETE FROM followers WHERE token = ?").run(from);
      this.follow(to, about);
    }).immediate();
  }

  /**
   * This controller becomes the one that follows an orphaned trial (its controller died), exactly once per
   * host: false when another live controller follows it already. When its GPU leases are missing (the lease
   * folder was wiped) they are taken again where places are free.
   */
  adopt(token: string, gpus: readonly string[], places: number, about: LeaseAbout = {}): boolean {
    const take = this.db.transaction((): boolean => {
      const row = this.db.prepare<[string], FollowerRow>("SELECT token, owner_pid, owner_start FROM followers WHERE token = ?").get(token);
      if (row && !this.isMe(row.owner_pid, row.owner_start) && isSameProcess(row.owner_pid, row.owner_start)) return false;
      this.follow(token, about);
      const held = this.db.prepare<[string], { n: number }>("SELECT count(*) AS n FROM leases WHERE token = ?").get(token)!.n;
      if (held === 0 && gpus.length > 0) this.putLeases(this.freePlaces(gpus, places, token).chosen, token);
      return true;
    });
    return take.immediate();
  }

  release(token: string): void {
    this.db.transaction(() => {
      this.db.prepare("DELETE FROM leases WHERE token = ?").run(token);
      this.db.prepare("DELETE FROM followers WHERE token = ?").run(token);
    }).immediate();
  }

  /** Every GPU lease (for tests and diagnostics). */
  list(): LeaseHolder[] {
    return this.db
      .prepare<[], LeaseRow>(
        `SELECT l.gpu, l.place, l.token, f.owner_pid, f.owner_start, f.sweep_id, f.trial_number
         FROM leases l LEFT JOIN followers f ON f.token = l.token ORDER BY l.gpu, l.place`,
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
  return { gpu: row.gpu, place: row.place, ownerPid: row.owner_pid, token: row.token, sweepId: row.sweep_id, trialNumber: row.trial_number };
}
