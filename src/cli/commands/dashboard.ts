/**
 * `sweep dashboard [--port P] [--host H]`: a local web server showing the storage's sweeps, each on a live
 * page that redraws as its trials report (docs/dashboard.md). Read-only on the storage. Bound to 127.0.0.1
 * unless told otherwise; bound elsewhere it asks for a token, printed with the URL at start.
 *
 * Runs until Ctrl-C or SIGTERM, then closes its connections and the storage and exits 0: stopping a viewer
 * is the normal way to end it, not an interruption of work.
 */
import type { CommandModule } from "yargs";
import { newToken, isLoopbackHost } from "../../report/dashboard/access.js";
import { startDashboard } from "../../report/dashboard/server.js";
import { STALE_HEARTBEAT_MS } from "../../runner/controller.js";
import { sweepLiveness } from "../../runner/worker.js";
import { openExistingStorage, storageLocation, type GlobalArgs } from "../context.js";
import { UsageError } from "../errors.js";
import { text, wholeNumber } from "../flags.js";

interface DashboardArgs extends GlobalArgs {
  readonly port?: string;
  readonly host?: string;
}

export const DEFAULT_DASHBOARD_PORT = 8750;

export const dashboardCommand: CommandModule<GlobalArgs, DashboardArgs> = {
  command: "dashboard",
  describe: "Serve a live, read-only web dashboard of the storage's sweeps (Ctrl-C stops it)",
  builder: (y) =>
    y
      .option("port", { type: "string", requiresArg: true, describe: `TCP port (default ${DEFAULT_DASHBOARD_PORT}; 0 picks a free one)` })
      .option("host", { type: "string", requiresArg: true, describe: "Address to bind (default 127.0.0.1; any other asks for the printed token)" }),
  handler: async (args) => {
    const port = wholeNumber(args.port, "--port", { min: 0, max: 65535 }) ?? DEFAULT_DASHBOARD_PORT;
    const host = text(args.host, "--host") ?? "127.0.0.1";
    if (!/^[A-Za-z0-9.:_-]+$/.test(host) || host.includes("://")) {
      throw new UsageError(`--host ${JSON.stringify(host)} is not an address; expected a host name or IP address such as 127.0.0.1, ::1 or 0.0.0.0`);
    }
    const location = storageLocation(args);
    const storage = await openExistingStorage(location, { readOnly: true });
    const token = isLoopbackHost(host) ? null : newToken();
    let dashboard;
    try {
      dashboard = await startDashboard({
        storage,
        host,
        port,
        token,
        pollMs: pollInterval(),
        isStale: async (sweep) => (await sweepLiveness(storage, sweep.id, STALE_HEARTBEAT_MS)) === "dead",
      });
    } catch (error) {
      await storage.close();
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EADDRINUSE") throw new UsageError(`--port ${port}: the port is in use on ${host}; give another, or --port 0 for a free one`);
      if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EACCES") {
        throw new UsageError(`cannot listen on ${host}:${port} (${code}); give --host an address of this machine, and a --port above 1023 unless root`);
      }
      throw error;
    }
    const link = token ? `${dashboard.url}/?token=${token}` : `${dashboard.url}/`;
    process.stdout.write(`sweep dashboard: ${link}\n`);
    process.stdout.write(`reading ${storage.location} (read-only)${token ? "; the token is needed by every client: keep the link private" : ""}; Ctrl-C stops\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
        resolve();
      };
      process.on("SIGINT", stop);
      process.on("SIGTERM", stop);
    });
    await dashboard.close();
    await storage.close();
  },
};

/** `SWEEP_DASHBOARD_POLL_MS`: how often live pages re-read their sweep (default 1000; tests use less). */
function pollInterval(): number {
  const raw = process.env.SWEEP_DASHBOARD_POLL_MS;
  const n = raw ? Number(raw) : NaN;
  return Number.isFinite(n) && n >= 50 ? n : 1000;
}
