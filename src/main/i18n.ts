/**
 * The main process's words (tray, tooltip, notifications) in English and French: captains are mostly
 * French-speaking. Which language is the shared resolution's (src/shared/i18n/lang.ts), as for the window, the
 * report and the command. `fr` is typed as `Catalogue` (the shape of `en`), so a key missing from fr, or one fr has
 * and en has not, fails the typecheck. Plurals go through Intl.PluralRules and numbers through
 * Intl.NumberFormat of the chosen locale, because the two languages differ (French: "0 événement", "1 234").
 */
import { formats, type Forms, type Lang } from '../shared/i18n';

export type { Forms, Lang };

/** What a message function gets to format numbers, plurals and lists in its own language. */
export interface Tools {
  num(n: number): string;
  count(n: number, forms: Forms): string;
  percent(fraction: number): string;
}

const NBSP = '\u00a0';

export const en = {
  tray: {
    syncNow: 'Sync now',
    syncing: (t: Tools, fraction: number | null): string => (fraction === null ? 'Syncing…' : `Syncing… ${t.percent(fraction)}`),
    cancel: 'Cancel sync',
    open: 'Open Constellation',
    noRun: 'No run yet',
    lastRun: (time: string, outcome: string): string => `Last run ${time}: ${outcome}`,
    events: { one: '# event', other: '# events' } as Forms,
    peersOk: (t: Tools, ok: number, total: number): string => `${t.num(ok)}/${t.count(total, { one: '# peer', other: '# peers' })}`,
    scheduleOff: 'Schedule off (see Settings)',
    resume: 'Resume schedule',
    pause: (next: string | null): string => (next ? `Pause schedule (next ${next})` : 'Pause schedule'),
    quit: 'Quit',
    tipSyncing: (t: Tools, fraction: number | null): string => (fraction === null ? 'Constellation: syncing' : `Constellation: syncing ${t.percent(fraction)}`),
    tipIdle: 'Constellation: idle',
    tipLastRun: (line: string): string => `Constellation: ${line}`,
  },
  outcome: {
    success: 'ok',
    partial: 'partly failed',
    failed: 'failed',
    cancelled: 'cancelled',
    'dry-run': 'dry run',
    refused: 'not run',
  },
  notify: {
    finished: 'Sync finished',
    importedEvents: { one: '# event imported', other: '# events imported' } as Forms,
    newMembers: { one: '# new member', other: '# new members' } as Forms,
    recoveredProfiles: { one: '# profile recovered', other: '# profiles recovered' } as Forms,
    fromPeers: (t: Tools, gains: string, peers: number): string => `${gains} from ${t.count(peers, { one: '# peer', other: '# peers' })}.`,
    partlyFailed: (t: Tools, failed: number, total: number): string =>
      `Sync partly failed (${t.num(failed)} of ${t.count(total, { one: '# peer', other: '# peers' })})`,
    partlyBody: (why: string, gains: string | null): string => `${why}.${gains ? ` Still: ${gains}.` : ''}`,
    failed: 'Sync failed',
    noPeerSynced: 'no peer could be synced.',
    peerFailed: 'failed',
    peerWhy: (peer: string, reason: string): string => `${peer}: ${reason}`,
    whySep: '; ',
    whyMore: (t: Tools, n: number): string => `; and ${t.num(n)} more`,
    refused: 'Sync not run',
    refusedBody: 'the run was refused.',
    listMore: (t: Tools, n: number): string => ` and ${t.num(n)} more`,
    joined: (t: Tools, n: number): string => (n === 1 ? 'A station joined the constellation' : `${t.num(n)} stations joined the constellation`),
    quiet: (t: Tools, n: number): string => (n === 1 ? 'A station went quiet' : `${t.num(n)} stations went quiet`),
    quietBody: (list: string): string => `${list}: no fresh card (stale).`,
  },
};

export type Catalogue = typeof en;

/** Libellés français : mêmes clés que `en` (le type l'impose). Espace insécable devant « : » et « ; ». */
export const fr: Catalogue = {
  tray: {
    syncNow: 'Synchroniser maintenant',
    syncing: (t, fraction) => (fraction === null ? 'Synchronisation…' : `Synchronisation… ${t.percent(fraction)}`),
    cancel: 'Annuler la synchronisation',
    open: 'Ouvrir Constellation',
    noRun: 'Aucune exécution pour l’instant',
    lastRun: (time, outcome) => `Dernière exécution ${time}${NBSP}: ${outcome}`,
    events: { one: '# événement', other: '# événements', many: '# d’événements' },
    peersOk: (t, ok, total) => `${t.num(ok)}/${t.count(total, { one: '# pair', other: '# pairs' })}`,
    scheduleOff: 'Planification arrêtée (voir Réglages)',
    resume: 'Reprendre la planification',
    pause: (next) => (next ? `Suspendre la planification (prochaine à ${next})` : 'Suspendre la planification'),
    quit: 'Quitter',
    tipSyncing: (t, fraction) => (fraction === null ? `Constellation${NBSP}: synchronisation` : `Constellation${NBSP}: synchronisation ${t.percent(fraction)}`),
    tipIdle: `Constellation${NBSP}: au repos`,
    tipLastRun: (line) => `Constellation${NBSP}: ${line}`,
  },
  outcome: {
    success: 'réussie',
    partial: 'en partie échouée',
    failed: 'échouée',
    cancelled: 'annulée',
    'dry-run': 'à blanc',
    refused: 'non lancée',
  },
  notify: {
    finished: 'Synchronisation terminée',
    importedEvents: { one: '# événement importé', other: '# événements importés', many: '# d’événements importés' },
    newMembers: { one: '# nouveau membre', other: '# nouveaux membres', many: '# de nouveaux membres' },
    recoveredProfiles: { one: '# profil récupéré', other: '# profils récupérés', many: '# de profils récupérés' },
    fromPeers: (t, gains, peers) => `${gains}, depuis ${t.count(peers, { one: '# pair', other: '# pairs', many: '# de pairs' })}.`,
    // French agrees with the first number: « 1 pair sur 2 », « 2 pairs sur 3 ».
    partlyFailed: (t, failed, total) =>
      `Synchronisation en partie échouée (${t.count(failed, { one: '# pair', other: '# pairs', many: '# de pairs' })} sur ${t.num(total)})`,
    partlyBody: (why, gains) => `${why}.${gains ? ` Malgré tout${NBSP}: ${gains}.` : ''}`,
    failed: 'Échec de la synchronisation',
    noPeerSynced: 'aucun pair n’a pu être synchronisé.',
    peerFailed: 'échec',
    peerWhy: (peer, reason) => `${peer}${NBSP}: ${reason}`,
    whySep: `${NBSP}; `,
    whyMore: (t, n) => `${NBSP}; et ${t.count(n, { one: '# autre', other: '# autres', many: '# d’autres' })}`,
    refused: 'Synchronisation non lancée',
    refusedBody: 'l’exécution a été refusée.',
    listMore: (t, n) => ` et ${t.count(n, { one: '# autre', other: '# autres', many: '# d’autres' })}`,
    joined: (t, n) => (n === 1 ? 'Une station a rejoint la constellation' : `${t.num(n)} stations ont rejoint la constellation`),
    quiet: (t, n) => (n === 1 ? 'Une station ne donne plus de nouvelles' : `${t.num(n)} stations ne donnent plus de nouvelles`),
    quietBody: (list) => `${list}${NBSP}: pas de carte récente (périmée).`,
  },
};

const CATALOGUES: Record<Lang, Catalogue> = { en, fr };

/** A language's catalogue with its number, plural and percent formatters (the shared ones, src/shared/i18n). */
export interface Words extends Tools {
  lang: Lang;
  locale: string;
  m: Catalogue;
}

// The tray asks on every progress tick: one per language.
const cache = new Map<Lang, Words>();

export function words(lang: Lang): Words {
  let w = cache.get(lang);
  if (!w) {
    const f = formats(lang);
    cache.set(lang, (w = { lang, locale: f.locale, m: CATALOGUES[lang], num: f.num, count: f.count, percent: f.percent }));
  }
  return w;
}
