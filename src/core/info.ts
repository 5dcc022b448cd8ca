import { access } from 'node:fs/promises';
import { constants } from 'node:fs';
import WebSocket from 'ws';
import type { AppInfo, ServiceCheck, Settings } from '../shared/schemas';
import { reason, reasonText, textReason, type Reason } from '../shared/i18n';
import { stationFound } from './station/found';

/** A service's answer: reachable, or why not (a code, and its English text). */
function check(url: string, why: Reason | null): ServiceCheck {
  return why ? { url, reachable: false, error: reasonText(why), why } : { url, reachable: true, error: null };
}

/** Whether a relay accepts a WebSocket connection within the timeout. */
export function checkRelay(url: string, timeoutMs: number): Promise<ServiceCheck> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (why: Reason | null): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      resolve(check(url, why));
    };
    let ws: WebSocket;
    try {
      ws = new WebSocket(url, { handshakeTimeout: timeoutMs });
    } catch (err) {
      resolve(check(url, reason('service.invalidUrl', { detail: (err as Error).message })));
      return;
    }
    const timer = setTimeout(() => finish(reason('service.noAnswer', { ms: timeoutMs })), timeoutMs);
    ws.on('open', () => finish(null));
    // Node's code (ECONNREFUSED…) says it best; each language glosses it.
    ws.on('error', (err) => finish(textReason((err as NodeJS.ErrnoException).code ?? err.message)));
  });
}

/** Whether kubo's RPC API answers `POST /api/v0/id`. */
export async function checkKubo(url: string, auth: string, timeoutMs: number): Promise<ServiceCheck & { peerId: string | null }> {
  try {
    const headers: Record<string, string> = {};
    if (auth) headers.Authorization = auth;
    const res = await fetch(new URL('/api/v0/id', url), { method: 'POST', headers, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return { ...check(url, reason('service.kuboHttp', { status: res.status })), peerId: null };
    const body = (await res.json()) as { ID?: unknown };
    return { ...check(url, null), peerId: typeof body.ID === 'string' ? body.ID : null };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    // fetch hides the socket's reason in `cause` ("fetch failed" alone tells a captain nothing).
    const why = e.name === 'TimeoutError' ? reason('service.noAnswer', { ms: timeoutMs }) : textReason(e.cause?.code ?? e.cause?.message ?? e.message);
    return { ...check(url, why), peerId: null };
  }
}

async function exists(path: string, mode = constants.F_OK): Promise<boolean> {
  try {
    await access(path, mode);
    return true;
  } catch {
    return false;
  }
}

export interface InfoInput {
  version: string;
  host: string;
  demo: boolean;
  dataDir: string;
  settings: Settings;
  timeoutMs: number;
  selfPeerId: () => Promise<{ peerId: string | null; source: string | null }>;
}

export async function appInfo(i: InfoInput): Promise<AppInfo> {
  const s = i.settings;
  const [relay, kubo, binFound, confFound, found, self] = await Promise.all([
    checkRelay(s.relayUrl, i.timeoutMs),
    checkKubo(s.kuboApi, s.kuboAuth, i.timeoutMs),
    exists(s.strfryBin, constants.X_OK),
    exists(s.strfryConf, constants.R_OK),
    stationFound(s.zenRoot),
    i.selfPeerId().catch(() => ({ peerId: null, source: null })),
  ]);
  return {
    name: 'Constellation',
    version: i.version,
    platform: process.platform,
    arch: process.arch,
    nodeVersion: process.versions.node,
    host: i.host,
    stationRoot: s.zenRoot,
    stationFound: found,
    demo: i.demo,
    dataDir: i.dataDir,
    peerId: self.peerId,
    peerIdSource: self.source,
    services: {
      relay,
      kubo: { url: kubo.url, reachable: kubo.reachable, error: kubo.error, ...(kubo.why ? { why: kubo.why } : {}) },
      strfry: { bin: s.strfryBin, binFound, conf: s.strfryConf, confFound },
    },
  };
}
