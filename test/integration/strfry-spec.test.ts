/**
 * The strfry CLI stand-in against real strfry's recorded behaviour (../shared/spec/strfry-import.md): every case
 * of the spec, in its order, on one database, one `strfry import` process each; the lines printed after the
 * config lines and the exit code must be real strfry's. Then the same batch through the engine's StrfryStore:
 * older versions and deleted events are answered for as superseded, never as a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RelayStore, StrfryStore } from '../../src/core/store';
import { makeConfig } from '../../src/core/config';
import type { LocalStore } from '../../src/core/services';
import { article, deletion, keysFromSeed, note, onCleanup, profile, runCleanup, runStrfry, startRelays, startStrfryStation, tmpDir, type StrfryStation } from '../support';
import { importCases, inOrder } from '../fixtures/strfry-import-cases';

const NOW = Math.floor(Date.now() / 1000);

afterAll(() => runCleanup());

const strfry = runStrfry;

const PREAMBLE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \( +\d+\.\d{3}s\) \[[^\]]{16}\] ?[A-Z]{3,4}\| /;

/** The log lines after `CONFIG: successfully installed`, without loguru's preamble (every one must have it). */
function afterConfig(stderr: string): string[] {
  const lines = stderr.split('\n').filter((l) => l !== '');
  const at = lines.findIndex((l) => l.endsWith('CONFIG: successfully installed'));
  expect(at, stderr).toBeGreaterThan(0);
  return lines.slice(at + 1).map((l) => {
    expect(l, 'every log line has loguru\'s preamble').toMatch(PREAMBLE);
    return l.replace(PREAMBLE, '');
  });
}

describe('the strfry stand-in replays every case of strfry-import.md', () => {
  let station: StrfryStation;
  beforeAll(async () => {
    station = await startStrfryStation(await tmpDir('strfry-spec-'));
    onCleanup(() => station.stop());
  });

  it('prints real strfry\'s lines and exit code, case by case, in the spec\'s order on one database', async () => {
    for (const c of importCases(NOW)) {
      expect(inOrder(c.recorded, c.lines), `${c.name}: the completed lines keep the recorded ones`).toBe(true);
      const r = await strfry(station, ['import', ...c.flags], c.input.map((l) => `${l}\n`).join(''));
      expect(r.code, `${c.name}\n${r.stderr}`).toBe(0);
      expect(afterConfig(r.stderr), c.name).toEqual(c.lines);
      expect(r.stdout, c.name).toBe('');
    }
    // what the cases leave: v2 of the profile, not note N, both versions of nothing, M kept
    const all = await station.relay.all({});
    const contents = all.map((e) => e.content);
    expect(contents.some((x) => x.includes('"v2"'))).toBe(true);
    expect(contents.some((x) => x.includes('"v1"'))).toBe(false);
    expect(contents).not.toContain('note N, deleted by its author');
    expect(contents).toContain('note M, a deletion by someone else deletes nothing');
    expect(all.filter((e) => e.kind === 30023).map((e) => e.content)).toEqual(['Article body.']);
    expect(all.find((e) => e.kind === 30023)?.tags).toContainEqual(['title', 'version 2']);
  }, 60_000);

  it('names the rejected events and their reason with --show-rejected (strfry 1.1.1-144 wording)', async () => {
    const [k] = keysFromSeed('strfry-spec-rejected', 1);
    const good = note(k!, 'good', NOW - 10);
    const badTag = note(k!, 'an e tag that is not an id', NOW - 9, [['e', 'not-an-id']]);
    const r = await strfry(station, ['import', '--show-rejected', '--no-verify'], `${JSON.stringify(good)}\n${JSON.stringify(badTag)}\n`);
    expect(r.code).toBe(0);
    const lines = afterConfig(r.stderr);
    expect(lines).toContain(`Rejected event ${badTag.id}: unexpected size for fixed-size tag: e`);
    expect(lines.at(-1)).toBe('Done. Processed 2 lines. 1 added, 1 rejected, 0 dups');
    expect(r.stderr).toMatch(/\[Validator {7}\]INFO\| Rejected event /);
  });
});

/**
 * The same events through a store: the local relay first holds the newer versions and a deletion, then a peer
 * sends the older versions and the deleted notes, then a batch holding two versions and a note with its deletion.
 */
async function answersForEverything(store: LocalStore): Promise<void> {
  const [k, other] = keysFromSeed('strfry-spec-store', 2) as [ReturnType<typeof keysFromSeed>[number], ReturnType<typeof keysFromSeed>[number]];
  const deleted = [note(k, 'deleted 1', NOW - 5000), note(k, 'deleted 2', NOW - 4999)];
  const p1 = profile(k, { name: 'p1' }, NOW - 4000);
  const p2 = profile(k, { name: 'p2' }, NOW - 3000);
  const a1 = article(k, 'x', 'a1', NOW - 4000);
  const a2 = article(k, 'x', 'a2', NOW - 3000);
  const kill = deletion(k, deleted.map((e) => e.id), NOW - 2000);
  const keep = note(other, 'kept', NOW - 100);

  const first = await store.import([p2, a2, kill], { verify: true });
  expect(first).toMatchObject({ added: 3, duplicates: 0, rejected: 0, superseded: 0 });

  // strfry import counts these in none of added/rejected/dups; a relay answers `replaced:` / `deleted:`
  const second = await store.import([p1, a1, ...deleted, keep, p2], { verify: true });
  expect(second).toMatchObject({ added: 1, duplicates: 1, rejected: 0, superseded: 4, reasons: {} });

  // within one batch, an older version after a newer one (strfry import would count both as added and remove
  // the older at once) and a note with its deletion: kept out of the batch, answered for as superseded
  const [j] = keysFromSeed('strfry-spec-inbatch', 1);
  const v2 = article(j!, 'y', 'v2', NOW - 50);
  const v1 = article(j!, 'y', 'v1', NOW - 60);
  const n = note(j!, 'deleted in the same batch', NOW - 70);
  const del = deletion(j!, [n.id], NOW - 40);
  const third = await store.import([v2, v1, n, del], { verify: false });
  expect(third).toMatchObject({ added: 2, duplicates: 0, rejected: 0, superseded: 2 });
  expect(await store.count({ ids: [v1.id, n.id] })).toBe(0);
  expect(await store.count({ ids: [v2.id, del.id] })).toBe(2);
}

describe('the engine answers for superseded and deleted events, whatever the local store', () => {
  it('strfry through its CLI (the stand-in): every event answered for, none a failure', async () => {
    const station = await startStrfryStation(await tmpDir('strfry-spec-store-'));
    onCleanup(() => station.stop());
    await answersForEverything(new StrfryStore(station.strfryBin, station.strfryConf));
  }, 60_000);

  it('a relay over WebSocket (its replaced: and deleted: answers): the same counts', async () => {
    const [relay] = await startRelays(1);
    const store = new RelayStore(relay!.url, makeConfig({ dataDir: await tmpDir('relay-store-') }).timeouts);
    onCleanup(() => store.close());
    await answersForEverything(store);
  }, 60_000);
});
