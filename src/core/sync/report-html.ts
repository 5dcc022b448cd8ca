/**
 * A run report as one standalone HTML file (no script, no external resource). Every string that can come
 * from a peer or the station (hostnames, reasons, URLs) is escaped.
 */
import type { RunReport } from '../../shared/schemas';
import { formats, sayReason, withoutPeer, type Lang } from '../../shared/i18n';

export function escapeHtml(v: unknown): string {
  return String(v ?? '').replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export type ReportLang = Lang;

/** The report's fixed words in both languages; everything else in the file is data from the run. */
const en = {
  title: 'Constellation run',
  heading: 'Constellation sync run',
  outcome: 'Outcome:',
  outcomes: { success: 'success', partial: 'partly failed', failed: 'failed', cancelled: 'cancelled', 'dry-run': 'dry run', refused: 'refused' } as Record<string, string>,
  started: (when: string, took: string) => `Started ${when}, took ${took}.`,
  members: (n: string) => `Members: ${n}.`,
  counts: (imported: string, duplicates: string, rejected: string, superseded: string) =>
    `Imported ${imported}, duplicates ${duplicates}, rejected ${rejected}, superseded or deleted ${superseded}.`,
  transferred: (bytesIn: string, bytesOut: string) => `Transferred ${bytesIn} in, ${bytesOut} out.`,
  shared: (offered: string, accepted: string, duplicates: string, refused: string, unanswered: string) =>
    `Shared with peers (the members' events they lacked): sent ${offered}, accepted ${accepted}, already held ${duplicates}, refused ${refused}, unanswered ${unanswered}.`,
  peers: 'Peers',
  peerHead: ['peer', 'host', 'route', 'method', 'outcome', 'fetched', 'imported', 'duplicates', 'rejected', 'superseded or deleted', 'dropped', 'shared (accepted)', 'in', 'out', 'time'],
  ok: 'ok',
  peerFailed: (reason: string) => `failed: ${reason}`,
  categories: 'Events by category',
  catHead: ['category', 'events'],
  rejected: 'Rejected',
  dropped: 'Dropped by the sieve',
  reasonHead: ['reason', 'events'],
  plan: 'Plan',
  profiles: 'Profiles',
  profileCounts: (found: string, missing: string, recovered: string) => `found ${found}, missing ${missing}, recovered ${recovered}`,
  profileHead: ['member', 'outcome', 'source', 'reason'],
  options: 'Options:',
};

type Labels = typeof en;

// Typed as English's labels: a label missing in French (or one English has not) fails the typecheck.
const fr: Labels = {
  title: 'Exécution Constellation',
  heading: 'Exécution de synchronisation Constellation',
  outcome: 'Résultat\u00a0:',
  outcomes: { success: 'réussie', partial: 'en partie échouée', failed: 'échouée', cancelled: 'annulée', 'dry-run': 'à blanc', refused: 'refusée' },
  started: (when: string, took: string) => `Lancée le ${when}, durée ${took}.`,
  members: (n: string) => `Membres\u00a0: ${n}.`,
  counts: (imported: string, duplicates: string, rejected: string, superseded: string) =>
    `Importés ${imported}, doublons ${duplicates}, rejetés ${rejected}, remplacés ou supprimés ${superseded}.`,
  transferred: (bytesIn: string, bytesOut: string) => `Transférés ${bytesIn} reçus, ${bytesOut} envoyés.`,
  shared: (offered: string, accepted: string, duplicates: string, refused: string, unanswered: string) =>
    `Partagés avec les pairs (les événements des membres qui leur manquaient)\u00a0: envoyés ${offered}, acceptés ${accepted}, déjà détenus ${duplicates}, refusés ${refused}, sans réponse ${unanswered}.`,
  peers: 'Pairs',
  peerHead: ['pair', 'hôte', 'route', 'méthode', 'résultat', 'récupérés', 'importés', 'doublons', 'rejetés', 'remplacés ou supprimés', 'écartés', 'partagés (acceptés)', 'reçus', 'envoyés', 'durée'],
  ok: 'ok',
  peerFailed: (reason: string) => `échec\u00a0: ${reason}`,
  categories: 'Événements par catégorie',
  catHead: ['catégorie', 'événements'],
  rejected: 'Rejetés',
  dropped: 'Écartés par le tamis',
  reasonHead: ['raison', 'événements'],
  plan: 'Plan',
  profiles: 'Profils',
  profileCounts: (found: string, missing: string, recovered: string) => `trouvés ${found}, manquants ${missing}, récupérés ${recovered}`,
  profileHead: ['membre', 'résultat', 'source', 'raison'],
  options: 'Options\u00a0:',
};

const LABELS: Record<ReportLang, Labels> = { en, fr };


const when = (t: number): string => new Date(t).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';

function table(head: string[], rows: string[][]): string {
  const th = head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${tr}\n</tbody></table>`;
}

export function renderReportHtml(report: RunReport, lang: ReportLang = 'en'): string {
  const r = report;
  const l: Labels = LABELS[lang] ?? LABELS.en;
  const f = formats(lang);
  const n = f.num;
  const bytes = f.bytes;
  const secs = (ms: number): string => `${f.dec(ms / 1000, 1)} s`;
  const outcome = (o: string): string => l.outcomes[o] ?? o;
  const peers = table(
    l.peerHead,
    r.peers.map((p) => [
      p.peer, p.hostname ?? '', p.route, p.method ?? '', p.ok ? [l.ok, ...(p.notes ?? []).map((x, i) => sayReason(x, p.noteWhys?.[i], lang))].join(' — ') : l.peerFailed(sayReason(p.reason, withoutPeer(p.why), lang)), n(p.fetched), n(p.imported),
      n(p.duplicates), n(p.rejected), n(p.superseded ?? 0), Object.entries(p.dropped).map(([k, v]) => `${k} ${n(v)}`).join(', '),
      p.shared ? `${n(p.shared.offered)} (${n(p.shared.accepted)})` : '',
      bytes(p.bytesIn), bytes(p.bytesOut), secs(p.durationMs),
    ]),
  );
  const cats = table(l.catHead, Object.entries(r.categories).filter(([, v]) => v > 0).map(([k, v]) => [k, n(v)]));
  const rejects = Object.entries(r.rejectReasons);
  const dropped = Object.entries(r.dropped);
  const profiles = r.profiles
    ? `<h2>${escapeHtml(l.profiles)}</h2><p>${escapeHtml(l.profileCounts(n(r.profiles.found), n(r.profiles.missing), n(r.profiles.recovered)))}</p>` +
      table(l.profileHead, r.profiles.outcomes.slice(0, 2000).map((o) => [o.hex, o.outcome, o.source ?? '', sayReason(o.reason, o.why, lang)]))
    : '';
  return `<!doctype html>
<html lang="${lang === 'fr' ? 'fr' : 'en'}"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${escapeHtml(l.title)} ${escapeHtml(r.id)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left}
th{background:#f3f3f3}.outcome{font-weight:bold}
</style></head><body>
<h1>${escapeHtml(l.heading)} ${escapeHtml(r.id)}</h1>
<p class="outcome">${escapeHtml(l.outcome)} ${escapeHtml(outcome(r.outcome))}${r.reason ? ` — ${escapeHtml(sayReason(r.reason, r.why, lang))}` : ''}</p>
<p>${escapeHtml(l.started(when(r.startedAt), secs(r.durationMs)))} ${escapeHtml(l.members(n(r.members)))}
${escapeHtml(l.counts(n(r.imported), n(r.duplicates), n(r.rejected), n(r.superseded ?? 0)))}
${escapeHtml(l.transferred(bytes(r.bytesIn), bytes(r.bytesOut)))}
${r.shared ? escapeHtml(l.shared(n(r.shared.offered), n(r.shared.accepted), n(r.shared.duplicates), n(r.shared.refused), n(r.shared.unanswered))) : ''}</p>
<h2>${escapeHtml(l.peers)}</h2>
${peers}
<h2>${escapeHtml(l.categories)}</h2>
${cats}
${rejects.length ? `<h2>${escapeHtml(l.rejected)}</h2>${table(l.reasonHead, rejects.map(([k, v]) => [k, n(v)]))}` : ''}
${dropped.length ? `<h2>${escapeHtml(l.dropped)}</h2>${table(l.reasonHead, dropped.map(([k, v]) => [k, n(v)]))}` : ''}
${r.plan.length ? `<h2>${escapeHtml(l.plan)}</h2><pre>${escapeHtml((r.planWhy ?? []).length === r.plan.length ? (r.planWhy ?? []).map((w) => sayReason(null, w, lang)).join('\n') : r.plan.join('\n'))}</pre>` : ''}
${profiles}
<p><small>${escapeHtml(l.options)} ${escapeHtml(JSON.stringify(r.options))}</small></p>
</body></html>
`;
}
