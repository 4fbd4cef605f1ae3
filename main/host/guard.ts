// Who may talk to the loopback host: requests addressed to this host and port by name
// (DNS-rebinding defence), from this origin or none, carrying the per-launch token (as the
// session cookie set on first visit, or a Bearer header for scripts).
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'assay_session';

export type GuardVerdict = { ok: true } | { ok: false; status: number; reason: string };

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function cookieToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === SESSION_COOKIE) return v.join('=');
  }
  return null;
}

export function bearerToken(req: IncomingMessage): string | null {
  const h = req.headers.authorization;
  return h && h.startsWith('Bearer ') ? h.slice(7).trim() : null;
}

export class HostGuard {
  private readonly hosts: Set<string>;
  private readonly origins: Set<string>;

  constructor(readonly port: number, private readonly token: string) {
    this.hosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
    this.origins = new Set([...this.hosts].map((h) => `http://${h}`));
  }

  /** Host and Origin checks, applied to every request before anything else. */
  checkAddressing(req: IncomingMessage): GuardVerdict {
    const host = req.headers.host ?? '';
    if (!this.hosts.has(host)) return { ok: false, status: 421, reason: `requests must be addressed to 127.0.0.1:${this.port}` };
    const origin = req.headers.origin;
    if (origin !== undefined && !this.origins.has(origin)) return { ok: false, status: 403, reason: 'foreign origin' };
    const site = req.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return { ok: false, status: 403, reason: 'cross-site request' };
    return { ok: true };
  }

  tokenMatches(candidate: string | null): boolean {
    return candidate !== null && same(candidate, this.token);
  }

  /** Token check for everything except the first visit (which presents the token in the URL). */
  checkSession(req: IncomingMessage): GuardVerdict {
    if (this.tokenMatches(cookieToken(req)) || this.tokenMatches(bearerToken(req))) return { ok: true };
    return { ok: false, status: 401, reason: 'missing or wrong token: open the URL printed by `assay serve`' };
  }

  /** State-changing requests also need a header a cross-site form cannot send without preflight. */
  checkWrite(req: IncomingMessage): GuardVerdict {
    if (req.headers['x-assay-request'] !== '1') return { ok: false, status: 403, reason: 'missing X-Assay-Request header' };
    return { ok: true };
  }
}
