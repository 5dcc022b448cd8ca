import { mkdtemp, readFile, rm, mkdir, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nip19 } from 'nostr-tools';
import { describe, expect, it } from 'vitest';
import { LIMITS, parseProfileContent, safePictureUrl, coerceText } from '../../src/core/profiles/content';
import { csvCell, isoSeconds, toCsv, toJson, writeExport, CSV_HEADER, type ExportRow } from '../../src/core/profiles/export';
import { ProfileIndex, makeEntry } from '../../src/core/profiles/profile-index';
import { memberRelays, relaysFromTags } from '../../src/core/profiles/relays';
import { acceptable, fullSyncKinds } from '../../src/core/profiles/recover';
import { loadVerifier } from '../../src/core/nostr';
import { deletion, profile, withBadSig } from '../../src/devkit/events';
import { keyFromSeed } from '../../src/devkit/keys';
import { createProfileService } from '../../src/core/profiles';
import type { EngineContext } from '../../src/core/services';
import { stationOnlyContext } from '../support/engine-context';

// The station's sample export (../shared/samples/_NIP101.profiles.json), inlined so the test runs anywhere.
const SAMPLE_ROWS = [
  {
    "hex": "71ac826a6fce48478dcb74f21345d2cce8038a39d5e0853964b50af03b971722",
    "profile": {
      "name": "captain",
      "about": "Capitaine de la station ORION — UPlanet",
      "picture": "https://ipfs.zenstation.example/ipfs/QmfBK5h8R4LjS2qMtHKze3nnFrtdm85pCbUw3oPSirik5M/logo.uplanet.png",
      "banner": "https://ipfs.zenstation.example/ipfs/QmVwnUSH9ZAUfHxh9FU19szax2F8ukcfJMeDfH8UQHXkrY/FutureFork.png",
      "nip05": "captain@zenstation.example",
      "website": "https://ipfs.zenstation.example/ipns/copylaradio.com",
      "bot": false,
      "g1pub": "g1vhJrraYhGJV5nKGJNMzb69AFRmAnE5TTNbWT4EvTRzrem2w",
      "city": "Lyon,France",
      "home_station": "12D3KooWh82pJGF9p7kpzb6eU326EFZf2cDnimbTFVeJtx1qtBmU:f244f58d669cbee3772a077021721a278f64f7fd633dbdde131ca3766e4d58e7",
      "email": "captain@zenstation.example"
    },
    "relays": [],
    "fetched_at": "2026-06-30T12:41:07Z"
  },
  {
    "hex": "1f97b7684319e1b429ad564b858f9a3e247cb2c083eb8cb37f0a72e9d34119f3",
    "profile": {
      "name": "alice",
      "display_name": "Alice in Wonderland",
      "about": "",
      "picture": "https://ipfs.zenstation.example/ipfs/QmZ4tDuvesekSs4qM5ZBKpXiZGun7S2CYtEZRB3DYXkjGx",
      "nip05": "alice@example.com"
    },
    "relays": [],
    "fetched_at": "2026-06-30T12:41:08Z"
  },
  {
    "hex": "9b364f73bb387d080589ab054c24026cdea5b9a2145128edfed863bd39f917c1",
    "profile": {},
    "relays": [],
    "fetched_at": "2026-06-30T12:41:08Z"
  }
];
const hex = (c: string): string => c.repeat(64).slice(0, 64);

describe('kind 0 content parsing', () => {
  it('keeps the fields of a valid profile', () => {
    const p = parseProfileContent(JSON.stringify({ name: 'alice', display_name: 'Alice', about: 'hi\nthere', picture: 'https://x.example/a.png', nip05: 'alice@example.com', website: 'http://alice.example' }));
    expect(p.json).toBe(true);
    expect(p.fields).toMatchObject({ name: 'alice', displayName: 'Alice', about: 'hi\nthere', picture: 'https://x.example/a.png', nip05: 'alice@example.com', website: 'http://alice.example' });
  });

  it('turns invalid JSON into name and about from the raw text, as the old script did', () => {
    const p = parseProfileContent('{name: broken "json"');
    expect(p.json).toBe(false);
    expect(p.fields.name).toBe('{name: broken "json"');
    expect(p.fields.about).toBe('{name: broken "json"');
    expect(p.exported).toEqual({ name: '{name: broken "json"', about: '{name: broken "json"' });
  });

  it('treats JSON that is not an object as text', () => {
    expect(parseProfileContent('"just a string"').fields.name).toBe('"just a string"');
    expect(parseProfileContent('[1,2]').json).toBe(false);
    expect(parseProfileContent('').fields.name).toBe('');
    expect(parseProfileContent('').exported).toEqual({});
  });

  it('drops javascript:, data:text and svg pictures, keeps http(s) and raster data: pictures', () => {
    const bad = ['javascript:alert(1)', 'JAVASCRIPT:alert(1)', 'data:text/html;base64,PHNjcmlwdD4=', 'data:image/svg+xml;base64,PHN2Zz4=', 'ftp://x.example/a.png', 'https://user:pw@x.example/a.png', 'https://x.example/a b.png'];
    for (const url of bad) {
      const p = parseProfileContent(JSON.stringify({ name: 'm', picture: url, banner: url, website: url }));
      expect(p.fields.picture, url).toBe('');
      expect(p.fields.banner, url).toBe('');
      expect(p.fields.website, url).toBe('');
      expect(p.exported.picture, url).toBeUndefined();
      expect(p.exported.name).toBe('m');
    }
    expect(safePictureUrl('data:image/png;base64,iVBORw0KGgo=')).toBe('data:image/png;base64,iVBORw0KGgo=');
    expect(safePictureUrl('data:image/webp;base64,UklGRg==')).not.toBe('');
    expect(safePictureUrl('data:image/png;base64,iVBO<script>')).toBe('');
    // banner and website never take data: URIs
    const p = parseProfileContent(JSON.stringify({ banner: 'data:image/png;base64,iVBORw0KGgo=' }));
    expect(p.fields.banner).toBe('');
  });

  it('bounds over-long fields', () => {
    const long = 'x'.repeat(100_000);
    const p = parseProfileContent(JSON.stringify({ name: long, about: long, nip05: long, other: long }));
    expect(p.fields.name.length).toBe(LIMITS.name);
    expect(p.fields.about.length).toBe(LIMITS.about);
    expect(p.fields.nip05.length).toBe(LIMITS.nip05);
    expect(String(p.exported.other).length).toBe(LIMITS.other);
    const many = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, 'v']));
    expect(Object.keys(parseProfileContent(JSON.stringify(many)).exported).length).toBe(LIMITS.keys);
    // a surrogate pair is never cut in half
    expect(coerceText('a'.repeat(255) + '😀', 256)).toBe('a'.repeat(255));
  });

  it('coerces non-string values', () => {
    const p = parseProfileContent(JSON.stringify({ name: 42, display_name: true, about: { nested: 1 }, nip05: ['a'], picture: 7, bot: false, lud16: null }));
    expect(p.fields).toMatchObject({ name: '42', displayName: 'true', about: '', nip05: '', picture: '', lud16: '' });
    expect(p.exported).toEqual({ name: 42, display_name: true, bot: false });
  });

  it('removes control and bidi characters, and line breaks outside about', () => {
    const p = parseProfileContent(JSON.stringify({ name: 'bob\u202e\u0000\nsmith', about: 'line1\nline2\u0007' }));
    expect(p.fields.name).toBe('bob smith');
    expect(p.fields.about).toBe('line1\nline2');
  });

  it('ignores a __proto__ key', () => {
    const p = parseProfileContent('{"__proto__": {"polluted": true}, "name": "n"}');
    expect(p.exported).toEqual({ name: 'n' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('relay lists', () => {
  it('reads NIP-65 markers, dedups and rejects non-ws URLs', () => {
    const r = relaysFromTags([['r', 'wss://a.example'], ['r', 'wss://b.example', 'read'], ['r', 'wss://a.example'], ['r', 'https://no.example'], ['p', 'x']]);
    expect(r).toEqual([
      { url: 'wss://a.example', read: true, write: true },
      { url: 'wss://b.example', read: true, write: false },
    ]);
  });
  it('prefers kind 10002, then kind 3 content, then kind 0 relays', () => {
    const contacts = { content: JSON.stringify({ 'wss://c.example': { read: true, write: false } }), tags: [] };
    expect(memberRelays({ contacts })).toEqual([{ url: 'wss://c.example', read: true, write: false }]);
    expect(memberRelays({ relayList: { content: '', tags: [['r', 'wss://l.example']] }, contacts })[0]?.url).toBe('wss://l.example');
    expect(memberRelays({ profile: { content: JSON.stringify({ relays: ['wss://p.example'] }), tags: [] } })[0]?.url).toBe('wss://p.example');
    expect(memberRelays({})).toEqual([]);
  });
});

function entry(h: string, member: boolean, fields: Record<string, unknown> | null): ReturnType<typeof makeEntry> {
  return makeEntry(h, member, fields ? parseProfileContent(JSON.stringify(fields)) : null, fields ? 1000 : null);
}

describe('profile index search', () => {
  const a = hex('a1');
  const b = hex('b2');
  const c = hex('c3');
  const d = hex('d4');
  const o = hex('e5');
  const idx = new ProfileIndex(
    [a, b, c, d],
    [
      entry(a, true, { name: 'alice', display_name: 'Alice Liddell', nip05: 'alice@wonder.example' }),
      entry(b, true, { name: 'bob', nip05: '_@bob.example' }),
      entry(c, true, { name: 'malice' }),
      entry(d, true, null),
      entry(o, false, { name: 'alice-outside' }),
    ],
    new Map([
      [a, [b, o]],
      [b, [a]],
    ]),
    0,
  );

  it('finds by name, case-insensitively, members first and exact before partial', () => {
    const r = idx.search('ALICE', 0, 10);
    expect(r.items.map((i) => i.hex)).toEqual([a, c, o]);
    expect(r.total).toBe(3);
  });
  it('finds by display name and by NIP-05 (leading @ ignored)', () => {
    expect(idx.search('liddell', 0, 10).items.map((i) => i.hex)).toEqual([a]);
    expect(idx.search('@bob.example', 0, 10).items.map((i) => i.hex)).toEqual([b]);
  });
  it('finds by npub and by hex, whole or beginning', () => {
    const npub = nip19.npubEncode(b);
    expect(idx.search(npub, 0, 10).items.map((i) => i.hex)).toEqual([b]);
    expect(idx.search(d, 0, 10).items.map((i) => i.hex)).toEqual([d]);
    expect(idx.search(d.slice(0, 10).toUpperCase(), 0, 10).items.map((i) => i.hex)).toEqual([d]);
  });
  it('pages, members first, unnamed members after named ones', () => {
    const all = idx.search('', 0, 100);
    expect(all.total).toBe(5);
    expect(all.items.map((i) => i.hex)).toEqual([a, b, c, d, o]);
    const page = idx.search('', 1, 2);
    expect(page.items.map((i) => i.hex)).toEqual([b, c]);
    expect(page.total).toBe(5);
  });
  it('knows the missing members, follows and followers', () => {
    expect(idx.missing()).toEqual([d]);
    expect(idx.followsOf(a)).toEqual([b, o]);
    expect(idx.followersOf(a)).toEqual([b]);
    expect(idx.followersOf(o)).toEqual([a]);
    expect(idx.isInside(o)).toBe(true);
    expect(idx.isInside(d)).toBe(true);
    expect(idx.isInside(hex('f6'))).toBe(false);
  });
});

describe('station export', () => {
  it('quotes CSV cells (RFC 4180), keeps one record per line and defuses formulas', () => {
    expect(csvCell('plain')).toBe('"plain"');
    expect(csvCell('say "hi", ok')).toBe('"say ""hi"", ok"');
    expect(csvCell('a\nb\r\nc')).toBe('"a\\nb\\nc"');
    for (const f of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx']) expect(csvCell(f).startsWith(`"'`), f).toBe(true);
  });

  it('writes the header and one line per member', () => {
    const rows: ExportRow[] = [
      { hex: hex('a1'), profile: { name: '=cmd', display_name: 'A', about: 'two\nlines, "quoted"', picture: 'https://p.example/a.png', nip05: 'a@x.example' }, relays: [{ url: 'wss://r1.example', read: true, write: true }, { url: 'wss://r2.example', read: true, write: false }], fetched_at: '2026-06-30T12:41:07Z' },
      { hex: hex('b2'), profile: {}, relays: [], fetched_at: '2026-06-30T12:41:08Z' },
    ];
    const lines = toCsv(rows).trimEnd().split('\n');
    expect(lines[0]).toBe(CSV_HEADER);
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(`"${hex('a1')}","'=cmd","A","two\\nlines, ""quoted""","https://p.example/a.png","","a@x.example",2,"wss://r1.example;wss://r2.example","2026-06-30T12:41:07Z"`);
    expect(lines[2]).toBe(`"${hex('b2')}","","","","","","",0,"","2026-06-30T12:41:08Z"`);
  });

  it('formats fetched_at as the old script did', () => {
    expect(isoSeconds(Date.UTC(2026, 5, 30, 12, 41, 7, 999))).toBe('2026-06-30T12:41:07Z');
  });

  it('gives the sample file its own shape back (keys, types, order)', () => {
    const sample = SAMPLE_ROWS as Array<{ hex: string; profile: Record<string, unknown>; relays: unknown[]; fetched_at: string }>;
    // Each sample profile goes through the parser as if it were a kind 0's content.
    const rows: ExportRow[] = sample.map((s) => ({
      hex: s.hex,
      profile: parseProfileContent(JSON.stringify(s.profile)).exported,
      relays: [],
      fetched_at: s.fetched_at,
    }));
    expect(JSON.parse(toJson(rows))).toEqual(sample);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(['hex', 'profile', 'relays', 'fetched_at']);
      expect(r.fetched_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
  });

  it('writes both files atomically under tmp/coucou, and refuses a folder linked out of the root', async () => {
    const root = await mkdtemp(join(tmpdir(), 'profiles-export-'));
    const outside = await mkdtemp(join(tmpdir(), 'profiles-outside-'));
    try {
      const rows: ExportRow[] = [{ hex: hex('a1'), profile: { name: 'a' }, relays: [], fetched_at: '2026-06-30T12:41:07Z' }];
      const paths = await writeExport(root, rows);
      expect(JSON.parse(await readFile(paths.json, 'utf8'))).toEqual(rows);
      expect((await readFile(paths.csv, 'utf8')).split('\n')[0]).toBe(CSV_HEADER);

      const root2 = join(root, 'second');
      await mkdir(join(root2, 'tmp'), { recursive: true });
      await symlink(outside, join(root2, 'tmp', 'coucou'));
      await expect(writeExport(root2, rows)).rejects.toThrow(/outside the station root/);
    } finally {
      await rm(root, { recursive: true, force: true });
      await rm(outside, { recursive: true, force: true });
    }
  });
});

describe('recovery helpers', () => {
  it('asks every configured kind but DMs when refused, and always the profile', () => {
    expect(fullSyncKinds([1, 3, 4, 0], true)).toEqual([1, 3, 0]);
    expect(fullSyncKinds([1, 4], false)).toEqual([1, 4, 0]);
  });
});

describe('the profile phase takes only what its author signed (issue 15, attack 1)', () => {
  it('a forged kind 0 or kind 5 is refused when verifying, taken only with --no-verify', async () => {
    const alice = keyFromSeed('profiles-acceptable:alice');
    const verifier = await loadVerifier();
    const authors = new Set([alice.pk]);
    const kinds = new Set([0, 5]);
    const real = profile(alice, { name: 'alice' });
    const forged = withBadSig(profile(alice, { name: 'pwned' }));
    const forgedDeletion = withBadSig(deletion(alice, ['ab'.repeat(32)]));
    expect(acceptable(real, authors, kinds, verifier)).toBe(true);
    expect(acceptable(forged, authors, kinds, verifier)).toBe(false);
    expect(acceptable(forgedDeletion, authors, kinds, verifier)).toBe(false);
    expect(acceptable(forged, authors, kinds, null)).toBe(true);
  });
});

describe('profile index refresh after a run', () => {
  it('reads nothing while no index was built, and rebuilds one that was', async () => {
    const member = keyFromSeed('refresh:member').pk;
    let queries = 0;
    const store = {
      async *query() {
        queries++;
      },
    };
    const state = { members: new Map([[member, {}]]), blacklist: new Set<string>() };
    const ctx = { ...stationOnlyContext(join(tmpdir(), 'no-station', '.zen')), store: () => store, station: { state: async () => state } } as unknown as EngineContext;
    const service = createProfileService(ctx);
    await service.refresh();
    expect(queries).toBe(0);
    await service.missing();
    const built = queries;
    expect(built).toBeGreaterThan(0);
    await service.refresh();
    expect(queries).toBeGreaterThan(built);
  });
});
