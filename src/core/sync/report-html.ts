/**
 * A run report as one standalone HTML file (no script, no external resource). Every string that can come
 * from a peer or the station (hostnames, reasons, URLs) is escaped.
 */
import type { RunReport } from '../../shared/schemas';

export function escapeHtml(v: unknown): string {
  return String(v ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const n = (x: number): string => x.toLocaleString('en-US');
const bytes = (b: number): string => (b >= 1048576 ? `${(b / 1048576).toFixed(1)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`);
const when = (t: number): string => new Date(t).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

function table(head: string[], rows: string[][]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

export function renderReportHtml(report: RunReport): string {
  const r = report;
  const peers = table(
    ['peer', 'host', 'route', 'method', 'outcome', 'fetched', 'imported', 'duplicates', 'rejected', 'dropped', 'in', 'out', 'time'],
    r.peers.map((p) => [
      p.peer, p.hostname ?? '', p.route, p.method ?? '', p.ok ? 'ok' : `failed: ${p.reason ?? ''}`, n(p.fetched), n(p.imported),
      n(p.duplicates), n(p.rejected), Object.entries(p.dropped).map(([k, v]) => `${k} ${v}`).join(', '),
      bytes(p.bytesIn), bytes(p.bytesOut), `${(p.durationMs / 1000).toFixed(1)} s`,
    ]),
  );
  const cats = table(['category', 'events'], Object.entries(r.categories).filter(([, v]) => v > 0).map(([k, v]) => [k, n(v)]));
  const rejects = Object.entries(r.rejectReasons);
  const dropped = Object.entries(r.dropped);
  const profiles = r.profiles
    ? `<h2>Profiles</h2><p>found ${n(r.profiles.found)}, missing ${n(r.profiles.missing)}, recovered ${n(r.profiles.recovered)}</p>` +
      table(['member', 'outcome', 'source', 'reason'], r.profiles.outcomes.slice(0, 2000).map((o) => [o.hex, o.outcome, o.source ?? '', o.reason ?? '']))
    : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Constellation run ${escapeHtml(r.id)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#f3f3f3}.outcome{font-weight:bold}
</style></head><body>
<h1>Constellation sync run ${escapeHtml(r.id)}</h1>
<p class="outcome">Outcome: ${escapeHtml(r.outcome)}${r.reason ? ` — ${escapeHtml(r.reason)}` : ''}</p>
<p>Started ${escapeHtml(when(r.startedAt))}, took ${escapeHtml((r.durationMs / 1000).toFixed(1))} s. Members: ${escapeHtml(n(r.members))}.
Imported ${escapeHtml(n(r.imported))}, duplicates ${escapeHtml(n(r.duplicates))}, rejected ${escapeHtml(n(r.rejected))}.
Transferred ${escapeHtml(bytes(r.bytesIn))} in, ${escapeHtml(bytes(r.bytesOut))} out.</p>
<h2>Peers</h2>
${peers}
<h2>Events by category</h2>
${cats}
${rejects.length ? `<h2>Rejected</h2>${table(['reason', 'events'], rejects.map(([k, v]) => [k, n(v)]))}` : ''}
${dropped.length ? `<h2>Dropped by the sieve</h2>${table(['reason', 'events'], dropped.map(([k, v]) => [k, n(v)]))}` : ''}
${r.plan.length ? `<h2>Plan</h2><pre>${escapeHtml(r.plan.join('\n'))}</pre>` : ''}
${profiles}
<p><small>Options: ${escapeHtml(JSON.stringify(r.options))}</small></p>
</body></html>
`;
}
