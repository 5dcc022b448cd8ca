/**
 * The main process's catalogue (both languages, same keys), the language choice, and the exported HTML run
 * report in French with every remote string still escaped.
 */
import { describe, expect, it, vi } from 'vitest';
import { en, fr, words } from '../../src/main/i18n';
import { localeLanguage, pickLanguage } from '../../src/shared/i18n';
import { renderReportHtml } from '../../src/core/sync/report-html';
import type { RunReport } from '../../src/shared/schemas';

vi.mock('electron', () => ({}));

/** Every leaf path of a catalogue, with its kind (string, function, or a plural's forms). */
function leaves(o: object, prefix = ''): string[] {
  return Object.entries(o).flatMap(([k, v]) => {
    const path = `${prefix}${k}`;
    if (typeof v === 'function') return [`${path}()`];
    if (v && typeof v === 'object' && 'one' in v && 'other' in v) return [`${path}#`];
    if (v && typeof v === 'object') return leaves(v as object, `${path}.`);
    return [path];
  });
}

describe('main catalogue', () => {
  it('French has exactly the keys of English, each of the same kind', () => {
    expect(leaves(fr).sort()).toEqual(leaves(en).sort());
  });
  it('French strings are translated (none left in English)', () => {
    const same = leaves(en).filter((path) => {
      if (path.endsWith('()') || path.endsWith('#')) return false;
      const get = (o: object): unknown => path.split('.').reduce<unknown>((x, k) => (x as Record<string, unknown>)[k], o);
      return get(en) === get(fr);
    });
    expect(same).toEqual([]);
  });
});

describe('choosing the language', () => {
  const pick = (setting: 'system' | 'en' | 'fr', system: string | string[]) => pickLanguage({ setting, system: typeof system === 'string' ? [system] : system });
  it('follows settings.language when it is not "system"', () => {
    expect(pick('fr', 'en-US')).toBe('fr');
    expect(pick('en', ['fr-FR'])).toBe('en');
  });
  it('falls back to the system locale: fr* is French, anything else English', () => {
    expect(pick('system', 'fr-FR')).toBe('fr');
    expect(pick('system', 'fr')).toBe('fr');
    expect(pick('system', 'fr_CA.UTF-8')).toBe('fr');
    expect(pick('system', 'de-DE')).toBe('en');
    expect(pick('system', 'C')).toBe('en');
    expect(pick('system', '')).toBe('en');
    expect(pick('system', [])).toBe('en');
    // A list: the first French or English entry decides (the renderer's rule), others are passed over.
    expect(pick('system', ['de-CH', 'fr-CH', 'en-US'])).toBe('fr');
    expect(pick('system', ['en-GB', 'fr-FR'])).toBe('en');
    // "fry" (Frisian) is not French.
    expect(pick('system', ['fy', 'fry'])).toBe('en');
  });
  it('reads the language part of BCP 47 and POSIX locales', () => {
    expect(['fr-BE', 'fr_FR.UTF-8', 'FR', 'fr@euro', 'en-US'].map(localeLanguage)).toEqual(['fr', 'fr', 'fr', 'fr', 'en']);
  });
  it('formats numbers and plurals in the chosen locale', () => {
    expect(words('en').count(1234, { one: '# event', other: '# events' })).toBe('1,234 events');
    expect(words('fr').count(0, fr.tray.events)).toBe('0 événement');
    expect(words('fr').count(1234, fr.tray.events)).toBe('1\u202f234 événements');
    expect(words('en').count(0, en.tray.events)).toBe('0 events');
  });
});

function report(over: Partial<RunReport> = {}): RunReport {
  return {
    id: 'r1', startedAt: Date.UTC(2026, 0, 2, 3, 4, 5), finishedAt: 1, durationMs: 1500, outcome: 'partial', reason: '<script>alert(1)</script>', options: { days: 1 },
    members: 1234, categories: { events: 1 }, imported: 2048, duplicates: 0, rejected: 1, superseded: 3, rejectReasons: { '<b>x</b>': 1 }, dropped: { blacklisted: 3 },
    bytesIn: 1536, bytesOut: 10, plan: ['<i>plan</i>'],
    profiles: { found: 1, missing: 2, recovered: 1, outcomes: [{ hex: 'ab'.repeat(32), outcome: 'recovered', source: '<u>peer</u>', reason: null }] },
    peers: [{ peer: 'p', hostname: '<img src=x onerror=alert(1)>', relayUrl: null, route: 'tunnel', method: 'req', ok: false, reason: '"><script>', fetched: 0, imported: 0, duplicates: 0, rejected: 0, dropped: {}, bytesIn: 0, bytesOut: 0, durationMs: 0 }],
    ...over,
  } as RunReport;
}

describe('HTML run report', () => {
  it('in French: labels, outcome, numbers and units of the French locale, remote strings escaped', () => {
    const html = renderReportHtml(report(), 'fr');
    expect(html).toContain('<html lang="fr">');
    expect(html).toContain('<h1>Exécution de synchronisation Constellation r1</h1>');
    expect(html).toContain('Résultat\u00a0: en partie échouée — &#60;script&#62;');
    expect(html).toContain('Lancée le 2026-01-02 03:04:05 UTC, durée 1,5 s.');
    expect(html).toContain('Membres\u00a0: 1\u202f234.');
    expect(html).toContain('Importés 2\u202f048, doublons 0, rejetés 1, remplacés ou supprimés 3.');
    expect(html).toContain('<th>remplacés ou supprimés</th>');
    // Sizes in the language's units, in powers of 1000 as the window shows them (o, ko, Mo in French).
    expect(html).toContain('Transférés 1,5\u00a0ko reçus, 10\u00a0o envoyés.');
    expect(html).toContain('<h2>Pairs</h2>');
    expect(html).toContain('<th>hôte</th>');
    expect(html).toContain('<h2>Écartés par le tamis</h2>');
    expect(html).toContain('trouvés 1, manquants 2, récupérés 1');
    expect(html).toContain('échec\u00a0: &#34;&#62;&#60;script&#62;');
    expect(html).not.toMatch(/<script>|<img|<b>x|<i>plan|<u>peer/);
    expect(html).toContain('&#60;img');
    expect(html).not.toMatch(/Outcome|Peers|Started|Imported/);
  });
  it('English stays the default, for callers that pass no language', () => {
    const html = renderReportHtml(report());
    expect(html).toBe(renderReportHtml(report(), 'en'));
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('Outcome: partly failed — &#60;script&#62;');
    expect(html).toContain('Started 2026-01-02 03:04:05 UTC, took 1.5 s. Members: 1,234.');
    expect(html).toContain('Transferred 1.5\u00a0kB in, 10\u00a0B out.');
    expect(html).not.toMatch(/<script>|<img|<b>x|<i>plan|<u>peer/);
  });
  it('the report, the tray and the command pick their language the same way: --lang, setting, LC_ALL, LC_MESSAGES, LANG, system', () => {
    const reportLanguage = (setting: 'system' | 'en' | 'fr', env: Record<string, string>) => pickLanguage({ setting, env });
    expect(reportLanguage('fr', {})).toBe('fr');
    expect(reportLanguage('en', { LANG: 'fr_FR.UTF-8' })).toBe('en');
    expect(reportLanguage('system', { LANG: 'fr_FR.UTF-8' })).toBe('fr');
    expect(reportLanguage('system', { LANG: 'fr_FR.UTF-8', LC_ALL: 'C.UTF-8' })).toBe('en');
    expect(reportLanguage('system', { LANG: 'en_US.UTF-8', LC_ALL: 'fr_BE.UTF-8' })).toBe('fr');
    expect(reportLanguage('system', { LC_MESSAGES: 'fr' })).toBe('fr');
    expect(reportLanguage('system', { LANG: 'fy_NL' })).toBe('en');
    expect(reportLanguage('system', {})).toBe('en');
    // --lang wins over everything; the environment wins over the system's list; a German locale decides nothing.
    expect(pickLanguage({ flag: 'en', setting: 'fr', env: { LANG: 'fr_FR' } })).toBe('en');
    expect(pickLanguage({ flag: 'de', setting: 'fr' })).toBe('fr');
    expect(pickLanguage({ setting: 'system', env: { LANG: 'en_US' }, system: ['fr-FR'] })).toBe('en');
    expect(pickLanguage({ setting: 'system', env: { LANG: 'de_DE' }, system: ['fr-FR'] })).toBe('fr');
    expect(pickLanguage({ setting: 'system', env: { LC_ALL: '', LANG: 'fr_FR' } })).toBe('fr');
  });
});
