/**
 * `sweep dashboard`'s web server: the list of sweeps, a live page per sweep, and the JSON API behind them
 * (docs/dashboard.md). It only reads: the storage it is handed is opened read-only by the CLI, and nothing
 * here calls a write method.
 *
 * Live pages follow `/api/sweeps/:id/events` (server-sent events). One poll per sweep that has listeners,
 * every `pollMs`, reads the sweep through the storage contract (so PostgreSQL works as SQLite does) and
 * sends the whole view when anything in it changed: the page redraws from it, and a reconnecting page gets
 * the current state at once. Plain HTTP and EventSource need no dependency and pass proxies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Storage, SweepRecord, TrialStatus } from "../../storage/types.js";
import { loadSweepData, type SweepData } from "../data.js";
import { explorerPage } from "../explorer-page.js";
import { sweepSummaries, TRIAL_STATUSES, type SweepSummary } from "../summary.js";
import { sweepOverview, sweepView, trialViews, VIEW_FORMAT, type SweepView } from "../sweep-view.js";
import { checkAccess } from "./access.js";
import { homePage } from "./home-page.js";

export interface DashboardOptions {
  readonly storage: Storage;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Required on every request when set (see access.ts); the CLI sets one for non-loopback hosts. */
  readonly token: string | null;
  /** How often live pages' sweeps are re-read; default 1000 ms. */
  readonly pollMs?: number;
  /** Whether a `running` sweep has no live controller (the runner's liveness check, handed in by the CLI). */
  readonly isStale?: (sweep: SweepRecord) => Promise<boolean>;
}

export interface Dashboard {
  /** `http://host:port` as bound (the port resolved when 0 was asked). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** While a trial runs, a view is re-sent at least this often even if nothing changed (durations grow). */
const RUNNING_REFRESH_MS = 10_000;
/** An SSE comment line this often keeps idle connections open through proxies. */
const KEEPALIVE_MS = 15_000;

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const pollMs = options.pollMs ?? 1000;
  const streams = new Map<string, LiveSweep>();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) sendJson(res, status, { error: message });
      else res.end();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://dashboard.invalid");
    const access = checkAccess(req, url, options.token);
    if (!access.ok) return sendJson(res, access.status, { error: access.reason });
    if ("setCookie" in access) {
      res.writeHead(303, { ...COMMON_HEADERS, "Set-Cookie": access.setCookie, Location: access.redirectTo });
      return void res.end();
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET, HEAD");
      throw new HttpError(405, `${req.method} is not allowed: the dashboard only reads`);
    }
    const parts = pathParts(url.pathname);
    if (parts.length === 0) return sendHtml(res, homePage(options.storage.location, await summaries()));
    if (parts[0] === "sweeps" && parts.length === 2) {
      const data = await load(parts[1]!);
      const view = await liveView(data);
      const id = encodeURIComponent(data.sweep.id);
      return sendHtml(res, explorerPage({ title: `${data.sweep.name ?? `sweep ${data.sweep.id}`} — sweep dashboard`, view, eventsUrl: `/api/sweeps/${id}/events`, homeUrl: "/" }));
    }
    if (parts[0] === "api" && parts[1] === "sweeps") {
      if (parts.length === 2) return sendJson(res, 200, { format: VIEW_FORMAT, sweeps: await summaries() });
      const id = parts[2]!;
      if (parts.length === 3) return sendJson(res, 200, sweepOverview(await load(id), options.storage.now()));
      if (parts.length === 4 && parts[3] === "trials") {
        const data = await load(id);
        const statuses = statusFilter(url.searchParams.get("status"));
        const curves = url.searchParams.get("curves") !== "false";
        const trials = trialViews(data, { curves }).filter((t) => statuses === null || statuses.includes(t.status));
        return sendJson(res, 200, { format: VIEW_FORMAT, sweep: data.sweep.id, trials });
      }
      if (parts.length === 4 && parts[3] === "events") return subscribe((await requireSweep(id)).id, req, res);
    }
    throw new HttpError(404, `no such page: ${url.pathname} (see docs/dashboard.md for the API)`);
  }

  async function summaries(): Promise<(SweepSummary & { url: string })[]> {
    const all = await sweepSummaries(options.storage, options.isStale);
    return all.map((summary) => ({ ...summary, url: `/sweeps/${encodeURIComponent(summary.id)}` }));
  }

  async function requireSweep(id: string): Promise<SweepRecord> {
    const sweep = await options.storage.getSweep(id);
    if (!sweep) throw new HttpError(404, `no sweep '${id}' in ${options.storage.location}`);
    return sweep;
  }

  async function load(id: string): Promise<SweepData> {
    return loadSweepData(options.storage, await requireSweep(id));
  }

  async function liveView(data: SweepData): Promise<SweepView> {
    const view = sweepView(data, options.storage.now());
    const stale = data.sweep.status === "running" && options.isStale ? await options.isStale(data.sweep) : false;
    return stale ? { ...view, sweep: { ...view.sweep, stale: true } } : view;
  }

  /** The sweep's event stream; its first view comes from the stream's own poll (one read, not two). */
  function subscribe(sweepId: string, req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { ...COMMON_HEADERS, "Content-Type": "text/event-stream; charset=utf-8", Connection: "keep-alive" });
    res.write("retry: 2000\n\n");
    let live = streams.get(sweepId);
    if (!live) {
      live = new LiveSweep(sweepId, pollMs, async (id) => liveView(await load(id)), () => streams.delete(sweepId));
      streams.set(sweepId, live);
    }
    live.add(res);
    req.on("close", () => live.remove(res));
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = options.host.includes(":") ? `[${options.host}]` : options.host;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    close: async () => {
      for (const live of streams.values()) live.stop();
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The listeners of one sweep's event stream and the poll that feeds them. */
class LiveSweep {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | null = null;
  private keepalive: NodeJS.Timeout | null = null;
  private lastKey = "";
  private lastSentAt = 0;
  private lastMessage: string | null = null;
  private busy = false;

  constructor(
    private readonly id: string,
    private readonly pollMs: number,
    private readonly read: (id: string) => Promise<SweepView>,
    private readonly onEmpty: () => void,
  ) {}

  add(res: ServerResponse): void {
    this.clients.add(res);
    if (this.lastMessage) res.write(this.lastMessage);
    if (!this.timer) {
      this.timer = setInterval(() => void this.poll(), this.pollMs);
      this.keepalive = setInterval(() => this.broadcast(": keepalive\n\n"), KEEPALIVE_MS);
    }
    void this.poll(res);
  }

  remove(res: ServerResponse): void {
    this.clients.delete(res);
    if (this.clients.size === 0) {
      this.stop();
      this.onEmpty();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.keepalive) clearInterval(this.keepalive);
    this.timer = this.keepalive = null;
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  /** Read the sweep; send it to everyone when it changed, and to `newcomer` in any case. */
  private async poll(newcomer?: ServerResponse): Promise<void> {
    if (this.busy && !newcomer) return;
    this.busy = true;
    try {
      const view = await this.read(this.id);
      const key = JSON.stringify({ ...view, readAt: "" });
      const running = view.trials.some((t) => t.status === "running");
      const due = running && Date.now() - this.lastSentAt >= RUNNING_REFRESH_MS;
      // Serialised again only when it is sent: usually nothing changed and nothing is.
      const message = () => `event: view\ndata: ${JSON.stringify(view)}\n\n`;
      if (key !== this.lastKey || due) {
        this.lastKey = key;
        this.lastSentAt = Date.now();
        this.lastMessage = message();
        this.broadcast(this.lastMessage);
      } else if (newcomer && !this.lastMessage) {
        newcomer.write(message());
      }
    } catch (error) {
      this.broadcast(`event: problem\ndata: ${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n\n`);
    } finally {
      this.busy = false;
    }
  }

  private broadcast(message: string): void {
    for (const res of this.clients) res.write(message);
  }
}

const COMMON_HEADERS = {
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { ...COMMON_HEADERS, "Content-Type": "application/json; charset=utf-8" });
  res.end(JSON.stringify(body) + "\n");
}

function sendHtml(res: ServerResponse, html: string): void {
  res.writeHead(200, { ...COMMON_HEADERS, "Content-Type": "text/html; charset=utf-8" });
  res.end(html);
}

function pathParts(pathname: string): string[] {
  try {
    return pathname.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new HttpError(400, `the path ${pathname} is not valid percent-encoding`);
  }
}

function statusFilter(value: string | null): TrialStatus[] | null {
  if (value === null || value === "") return null;
  const wanted = value.split(",").map((s) => s.trim());
  for (const s of wanted) {
    if (!(TRIAL_STATUSES as readonly string[]).includes(s)) throw new HttpError(400, `status '${s}' is not one of ${TRIAL_STATUSES.join(", ")}`);
  }
  return wanted as TrialStatus[];
}

