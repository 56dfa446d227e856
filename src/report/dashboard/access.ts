/**
 * Who may read the dashboard. Bound to a loopback address (the default), anyone on this machine may, as
 * with any local tool; the Host header must then name a loopback host too, so a web page elsewhere cannot
 * reach the server through a DNS name that points at 127.0.0.1 (DNS rebinding). Bound to any other address,
 * every request needs the token printed at start: `?token=` once (the server answers with a cookie and a
 * redirect to the same page without it), or `Authorization: Bearer <token>` from scripts.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const TOKEN_COOKIE = "sweep_dashboard_token";

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h);
}

export function newToken(): string {
  return randomBytes(24).toString("base64url");
}

export type Access =
  | { readonly ok: true }
  /** The token came in the query: set the cookie and send the browser to the same URL without it. */
  | { readonly ok: true; readonly setCookie: string; readonly redirectTo: string }
  | { readonly ok: false; readonly status: 401 | 403; readonly reason: string };

export function checkAccess(req: IncomingMessage, url: URL, token: string | null): Access {
  if (token === null) {
    const host = hostName(req.headers.host ?? "");
    if (!isLoopbackHost(host)) return { ok: false, status: 403, reason: `Host '${host}' is not this machine: open the dashboard at http://127.0.0.1` };
    return { ok: true };
  }
  const fromQuery = url.searchParams.get("token");
  if (fromQuery !== null && same(fromQuery, token)) {
    url.searchParams.delete("token");
    const rest = url.searchParams.toString();
    return { ok: true, setCookie: `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`, redirectTo: url.pathname + (rest ? `?${rest}` : "") };
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
  if (bearer !== undefined && same(bearer, token)) return { ok: true };
  const cookie = cookieValue(req.headers.cookie ?? "", TOKEN_COOKIE);
  if (cookie !== null && same(cookie, token)) return { ok: true };
  return { ok: false, status: 401, reason: "this dashboard needs its token: open the URL it printed at start (…?token=…), or send Authorization: Bearer <token>" };
}

function hostName(host: string): string {
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  return host.replace(/:\d+$/, "");
}

function cookieValue(header: string, name: string): string | null {
  for (const part of header.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return v.join("=");
  }
  return null;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
