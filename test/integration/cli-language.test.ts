/**
 * The command speaks the captain's language (issue 17, item 6): under LANG=fr_FR.UTF-8 every subcommand's
 * messages, reasons, summaries and units are French (o, ko, Mo); `--lang` and the `language` setting decide as
 * the window does (src/shared/i18n/lang.ts); English stays the default. Real processes on a built station.
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStation, manyNotes, onCleanup, runCleanup, runCli, startRelays, tmpDir, type BuiltStation, type TestRelay } from '../support';

const NOW = Math.floor(Date.now() / 1000);
let built: BuiltStation;
let local: TestRelay;
let peer: TestRelay;
let dataDir: string;
let frDataDir: string;

const args = (dir = dataDir): string[] => ['--zen-root', built.root, '--data-dir', dir, '--relay-url', local.url, '--kubo-api', 'http://127.0.0.1:9', '--strfry-bin', '/nonexistent/strfry'];
const fr = { LANG: 'fr_FR.UTF-8', LC_ALL: '', LC_MESSAGES: '' };
const english = { LANG: 'C.UTF-8', LC_ALL: '', LC_MESSAGES: '' };

beforeAll(async () => {
  [local, peer] = (await startRelays(2)) as [TestRelay, TestRelay];
  built = await buildStation({
    seed: 'cli-language',
    peers: [{ relayUrl: peer.url, hostname: 'alpha.example' }, { relayUrl: 'wss://stale.example', hostname: 'stale.example', moats: 'stale' }],
    members: { emails: 2 },
    amisOfAmis: 2,
  });
  onCleanup(() => built.cleanup());
  const members = [...Object.values(built.keys.users), ...built.keys.amis];
  await peer.seed(await manyNotes(members, 40, { seed: 'cli-language', since: NOW - 3600, until: NOW - 60 }));
  // The peer's relay is on this machine's loopback: dialled directly, as the demo does.
  dataDir = await tmpDir('cli-language-');
  await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ directRelays: [peer.url], fallbackRelays: [] }));
  frDataDir = await tmpDir('cli-language-setting-');
  await writeFile(join(frDataDir, 'settings.json'), JSON.stringify({ directRelays: [peer.url], fallbackRelays: [], language: 'fr' }));
});
afterAll(runCleanup);

/** Lines that still hold an English word of the command's own (reasons' technical tokens aside). */
const ENGLISH = /\b(fetched|imported|duplicates|rejected|syncable|peers|beacon|stale after|success|FAILED|profiles: found|station root|reachable|in \d)\b/;

describe('LANG=fr_FR.UTF-8', () => {
  it('peers: labels, statuses, ages and reasons in French', async () => {
    const r = await runCli([...args(), 'peers'], fr);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^pairs\s+2 \(1 synchronisable\)$/m);
    expect(r.stdout).toMatch(/^PAIR\s+HÔTE\s+ROUTE\s+ÉTAT\s+ÂGE\s+RELAIS\s+RAISON$/m);
    expect(r.stdout).toContain('périmé');
    expect(r.stdout).toMatch(/balise non rafraîchie depuis 13,0 h \(périmée après 12 h\)/);
    expect(r.stdout).not.toMatch(ENGLISH);
  });

  it('sync: the summary, the counts and the units (o, ko, Mo) in French', async () => {
    const r = await runCli([...args(), 'sync', '--no-profiles'], fr, { timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/^exécution \S+\u00a0: réussie en \d+,\d s$/m);
    expect(out).toMatch(/alpha\.example .* ok {2}\d+ reçus, \d+ importés, [\d,]+\u00a0k?o$/m);
    expect(out).toMatch(/^importés \d+, doublons \d+, rejetés \d+, remplacés ou supprimés \d+$/m);
    expect(out).toMatch(/^transférés [\d,]+\u00a0k?o reçus, [\d,]+\u00a0k?o envoyés$/m);
    expect(out).not.toMatch(ENGLISH);
    expect(out).not.toMatch(/\b(B|kB|MB|KiB|MiB)\b/);
  }, 150_000);

  it('info and stats in French', async () => {
    const [info, stats] = await Promise.all([runCli([...args(), 'info'], fr), runCli([...args(), 'stats'], fr)]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/^racine de la station\s+\S+/m);
    expect(info.stdout).toMatch(/^API kubo\s+http:\/\/127\.0\.0\.1:9\s+joignable\u00a0: non/m);
    expect(stats.stdout).toMatch(/^événements\s+\d+\s+\(compté par /m);
    expect(stats.stdout).toMatch(/^membres\s+\d+\s+\(game\/nostr\u00a0: \d+/m);
  });

  it('a refusal in French, and `--lang en` or the C locale back to English', async () => {
    const missing = join(dataDir, 'no-station-here');
    const [refused, flag, c] = await Promise.all([
      runCli(['--zen-root', missing, '--data-dir', dataDir, 'sync'], fr),
      runCli([...args(), '--lang', 'en', 'peers'], fr),
      runCli([...args(), 'peers'], { ...fr, LC_ALL: 'C' }),
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`aucune station à ${missing}\u00a0: le dossier n’existe pas`);
    for (const r of [flag, c]) {
      expect(r.stdout).toMatch(/^peers\s+2 \(1 syncable\)$/m);
      expect(r.stdout).toMatch(/beacon not refreshed for 13\.0 h \(stale after 12 h\)/);
    }
  });

  it('a run the station lock refuses said in French; a stale lock does not refuse it', async () => {
    const lock = join(built.root, 'strfry', 'constellation-backfill.lock');
    // a live process holds the lock (this test's): the run is refused
    await writeFile(lock, `${process.pid}\n`);
    try {
      const held = await runCli([...args(), 'sync', '--no-profiles', '--verbose'], fr, { timeoutMs: 60_000 });
      expect(held.stdout + held.stderr).toContain(`une synchronisation tourne déjà (le PID ${process.pid} tient ${lock})\u00a0; réessayez quand elle sera finie`);
      expect(held.stdout + held.stderr).not.toMatch(/already running/);
    } finally {
      await rm(lock, { force: true });
    }
    // a PID that runs no more: the lock is taken over (said in the station log, an info line the command does not
    // print) and the run goes on
    await writeFile(lock, '999999999\n');
    const stale = await runCli([...args(), 'sync', '--no-profiles'], fr, { timeoutMs: 120_000 });
    expect(stale.code, stale.stderr).toBe(0);
    expect(stale.stdout).toMatch(/^exécution \S+\u00a0: réussie en /m);
  }, 180_000);

  it('`--lang` a language it does not speak is bad usage, said in the environment’s language', async () => {
    const r = await runCli([...args(), '--lang', 'de', 'peers'], fr);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('n’est pas une langue que Constellation parle (en, fr)');
  });
});

describe('the language setting', () => {
  it('speaks French when Settings say so, even under the C locale; English by default', async () => {
    const [set, plain] = await Promise.all([runCli([...args(frDataDir), 'peers'], english), runCli([...args(), 'peers'], english)]);
    expect(set.stdout).toMatch(/^pairs\s+2 \(1 synchronisable\)$/m);
    expect(plain.stdout).toMatch(/^peers\s+2 \(1 syncable\)$/m);
  });
});

