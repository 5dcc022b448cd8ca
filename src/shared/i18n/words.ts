/**
 * Words about a run and a station that the command, the HTML report and the tray share: outcomes, what the sieve
 * left out, peers' phases, routes and statuses. English and French, the same keys (the type says so).
 */
import type { Forms } from './format';
import type { Lang } from './lang';

const en = {
  outcome: { success: 'success', partial: 'partly failed', failed: 'failed', cancelled: 'cancelled', 'dry-run': 'dry run', refused: 'refused' } as Record<string, string>,
  /** What the sieve leaves out, by its key (sync/sieve.ts), counted. */
  dropped: {
    welcome: { one: '# welcome note', other: '# welcome notes' },
    deleted: { one: '# deleted event', other: '# deleted events' },
    blacklisted: { one: '# from a blacklisted key', other: '# from blacklisted keys' },
    malformed: { one: '# malformed', other: '# malformed' },
    'off-filter': { one: '# not asked for', other: '# not asked for' },
    'bad-id': { one: '# with a wrong id', other: '# with a wrong id' },
    'bad-signature': { one: '# with a bad signature', other: '# with a bad signature' },
  } as Record<string, Forms>,
  phase: {
    queued: 'queued', tunnel: 'tunnel', probe: 'probe', reconcile: 'reconcile', fetch: 'fetch', import: 'import', done: 'done', failed: 'failed', cancelled: 'cancelled',
  } as Record<string, string>,
  route: { direct: 'direct', tunnel: 'tunnel', lan: 'lan', none: 'none' } as Record<string, string>,
  status: {
    ok: 'ok', self: 'self', stale: 'stale', invalid: 'invalid', picoport: 'picoport', fallback: 'fallback', 'no-relay': 'no relay', 'bad-url': 'bad URL',
  } as Record<string, string>,
};

export type RunWords = typeof en;

const fr: RunWords = {
  outcome: { success: 'réussie', partial: 'en partie échouée', failed: 'échouée', cancelled: 'annulée', 'dry-run': 'à blanc', refused: 'refusée' },
  dropped: {
    welcome: { one: '# note de bienvenue', other: '# notes de bienvenue' },
    deleted: { one: '# événement supprimé', other: '# événements supprimés' },
    blacklisted: { one: '# d’une clé bannie', other: '# de clés bannies' },
    malformed: { one: '# mal formé', other: '# mal formés' },
    'off-filter': { one: '# non demandé', other: '# non demandés' },
    'bad-id': { one: '# à l’id faux', other: '# à l’id faux' },
    'bad-signature': { one: '# à la signature fausse', other: '# à la signature fausse' },
  },
  phase: {
    queued: 'en attente', tunnel: 'tunnel', probe: 'sondage', reconcile: 'comparaison', fetch: 'réception', import: 'import', done: 'terminé', failed: 'échec', cancelled: 'annulé',
  },
  route: { direct: 'direct', tunnel: 'tunnel', lan: 'réseau local', none: 'aucune' },
  status: {
    ok: 'ok', self: 'soi', stale: 'périmé', invalid: 'invalide', picoport: 'picoport', fallback: 'secours', 'no-relay': 'sans relais', 'bad-url': 'URL invalide',
  },
};

const WORDS: Readonly<Record<Lang, RunWords>> = { en, fr };

export function runWords(lang: Lang): RunWords {
  return WORDS[lang];
}
