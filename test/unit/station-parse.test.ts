// The parsing pieces of station discovery: freshness, cards, routes, key lines, peer judgement.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseMoats } from '../../src/core/station/moats';
import { parseCard, isPeerId } from '../../src/core/station/card';
import { classifyRelayUrl } from '../../src/core/station/route';
import { normalizeKey, parseKeyList, shortKey, badLinesReason } from '../../src/core/station/keys';
import { reasonText } from '../../src/shared/i18n';
import { parsePingStream } from '../../src/core/kubo/rpc';

// The station card sample from ../shared/samples, copied so the test runs in any checkout.
const SAMPLE = readFileSync(new URL('../fixtures/12345.json', import.meta.url), 'utf8');

describe('_MySwarm.moats', () => {
  it('reads Unix seconds', () => {
    expect(parseMoats('1782821101\n')).toEqual({ ok: true, seconds: 1782821101 });
  });
  it('reads YYYYMMDDHHMMSS + 4 digits as UTC', () => {
    expect(parseMoats('202606301205011234')).toEqual({ ok: true, seconds: Date.UTC(2026, 5, 30, 12, 5, 1) / 1000 });
    expect(parseMoats(' 20260630120501 ')).toEqual({ ok: true, seconds: Date.UTC(2026, 5, 30, 12, 5, 1) / 1000 });
  });
  it('agrees between the two formats for the same instant', () => {
    const s = 1782821101;
    const d = new Date(s * 1000);
    const p = (n: number): string => String(n).padStart(2, '0');
    const stamp = `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}0000`;
    expect(parseMoats(stamp)).toEqual(parseMoats(String(s)));
  });
  it('refuses what is not a timestamp, with a reason', () => {
    for (const bad of ['', 'yesterday', '12345', '202613301205011234', '20260231120501', '1782821101.5', '\u0000\u0001']) {
      const r = parseMoats(bad);
      expect(r.ok, bad).toBe(false);
      if (!r.ok) expect(reasonText(r.why).length).toBeGreaterThan(0);
    }
  });
});

describe('station cards', () => {
  it('reads the sample card', () => {
    const r = parseCard(SAMPLE);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = r.card;
    expect(c.peerId).toBe('12D3KooWh82pJGF9p7kpzb6eU326EFZf2cDnimbTFVeJtx1qtBmU');
    expect(c.relayUrl).toBe('wss://relay.zenstation.example');
    expect(c.hostname).toBe('orion.zenstation.example');
    expect(c.captain).toBe('captain@zenstation.example');
    expect(c.captainHex).toBe('71ac826a6fce48478dcb74f21345d2cce8038a39d5e0853964b50af03b971722');
    expect(c.nodeHex).toBe('f244f58d669cbee3772a077021721a278f64f7fd633dbdde131ca3766e4d58e7');
    expect(c.city).toBe('Lyon,France');
    expect(c.lat).toBe(45.76);
    expect(c.lon).toBe(4.83);
    expect(c.uplanet).toBe('g1xry7rUFCtmaW4cGw8W9tWjacfMqzVguozZUvcVzBpxXVHqG');
    expect(c.services).toEqual(expect.arrayContaining(['ssh', 'strfry', 'ollama', 'comfyui']));
    expect(c.fallbackStatus).toBeNull();
    expect(c.picoport).toBe(false);
  });
  it('recognises fallback cards', () => {
    for (const status of ['json_build_error', 'booting']) {
      const r = parseCard(JSON.stringify({ version: '12345.0.2', hostname: 'h', ipfsnodeid: 'x', status, created: '1' }));
      expect(r.ok && r.card.fallbackStatus).toBe(status);
    }
  });
  it('recognises picoport cards (no myRELAY)', () => {
    const r = parseCard(JSON.stringify({ version: 'picoport-12345-v2', hostname: 'pico', ipfsnodeid: 'x' }));
    expect(r.ok && r.card.picoport).toBe(true);
    expect(r.ok && r.card.relayUrl).toBeNull();
  });
  it('refuses invalid and truncated JSON and non-objects with a reason', () => {
    for (const bad of ['{"version" : "12345.0.2", "myRELAY" : ', '', '[1,2]', 'null', '"x"', '\u0000\u0001binary']) {
      const r = parseCard(bad);
      expect(r.ok, bad).toBe(false);
    }
  });
  it('treats wrong types as absent and keeps upper-case keys lower-cased', () => {
    const r = parseCard(
      JSON.stringify({ myRELAY: 42, hostname: { a: 1 }, captainHEX: 'AB'.repeat(32), NODEHEX: 'nope', STATION_LAT: '91', STATION_LON: 'x' }),
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.card.relayUrl).toBeNull();
    expect(r.card.hostname).toBeNull();
    expect(r.card.captainHex).toBe('ab'.repeat(32));
    expect(r.card.nodeHex).toBeNull();
    expect(r.card.nodeHexRaw).toBe('nope');
    expect(r.card.lat).toBeNull();
    expect(r.card.lon).toBeNull();
  });
  it('strips control characters and bounds long strings', () => {
    const r = parseCard(JSON.stringify({ hostname: 'evil\u001b[31mred\nline' + 'x'.repeat(5000) }));
    expect(r.ok && r.card.hostname?.includes('\u001b')).toBe(false);
    expect(r.ok && (r.card.hostname?.length ?? 0) <= 512).toBe(true);
  });
  it('knows a PeerID', () => {
    expect(isPeerId('12D3KooWh82pJGF9p7kpzb6eU326EFZf2cDnimbTFVeJtx1qtBmU')).toBe(true);
    expect(isPeerId('QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN')).toBe(true);
    expect(isPeerId('swarm')).toBe(false);
    expect(isPeerId('coucou')).toBe(false);
    expect(isPeerId('12D3KooW../../etc')).toBe(false);
  });
});

describe('relay routes', () => {
  const cases: Array<[string, 'direct' | 'tunnel' | 'lan']> = [
    ['wss://relay.zenstation.example', 'direct'],
    ['wss://relay.copylaradio.com/', 'direct'],
    ['ws://203.0.113.42:7777', 'direct'],
    ['ws://8.8.8.8:7777', 'direct'],
    ['ws://[2001:db8::42]:7777', 'direct'],
    ['ws://127.0.0.1:7777', 'tunnel'],
    ['ws://127.8.9.10:7777', 'tunnel'],
    ['wss://127.0.0.1:7777', 'tunnel'],
    ['ws://localhost:7777', 'tunnel'],
    ['ws://LOCALHOST.:7777', 'tunnel'],
    ['ws://relay.localhost:7777', 'tunnel'],
    ['ws://[::1]:7777', 'tunnel'],
    ['ws://[::ffff:127.0.0.1]:7777', 'tunnel'],
    ['ws://0.0.0.0:7777', 'tunnel'],
    ['ws://2130706433:7777', 'tunnel'],
    ['ws://0x7f.1:7777', 'tunnel'],
    ['ws://10.1.2.3:7777', 'lan'],
    ['ws://172.16.0.1:7777', 'lan'],
    ['ws://172.31.255.254:7777', 'lan'],
    ['ws://192.168.1.20:7777', 'lan'],
    ['ws://169.254.10.1:7777', 'lan'],
    ['ws://100.64.1.1:7777', 'lan'],
    ['ws://[fd00::12]:7777', 'lan'],
    ['ws://[fc00::1]:7777', 'lan'],
    ['ws://[fe80::1]:7777', 'lan'],
    ['ws://[::ffff:192.168.1.2]:7777', 'lan'],
    ['ws://raspberrypi:7777', 'lan'],
    ['ws://astro.local:7777', 'lan'],
  ];
  for (const [url, route] of cases) {
    it(`${url} → ${route}`, () => {
      const r = classifyRelayUrl(url);
      expect(r).toMatchObject({ ok: true, route });
    });
  }
  it('172.32.x and 172.15.x are public, not private', () => {
    expect(classifyRelayUrl('ws://172.32.0.1:7777')).toMatchObject({ route: 'direct' });
    expect(classifyRelayUrl('ws://172.15.0.1:7777')).toMatchObject({ route: 'direct' });
  });
  for (const bad of ['', 'relay.example', 'http://relay.example', 'ws://', 'ws:// spaces .example', 'wss://user:pw@relay.example', 'ws://[::1', 'javascript:alert(1)']) {
    it(`refuses ${JSON.stringify(bad)} with a reason`, () => {
      const r = classifyRelayUrl(bad);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(reasonText(r.why)).toMatch(/URL|relay/);
    });
  }
});

describe('member key lines', () => {
  it('keeps 64-hex keys, lower-cased, whatever they look like', () => {
    const k8 = '12345678' + 'ab'.repeat(28);
    const allDigits = '1700000000' + '1'.repeat(54);
    const with2024 = 'abcd2024' + 'ef'.repeat(28);
    const upper = 'ABCDEF0123456789'.repeat(4);
    const text = [k8, '', `  ${with2024}  `, allDigits + '\r', upper, 'junk line', 'ab'.repeat(31) + 'a', '0x' + 'ab'.repeat(32), 'npub1xyz', '   ', k8].join('\n');
    const list = parseKeyList(text);
    expect(list.keys).toEqual([k8, with2024, allDigits, upper.toLowerCase(), k8]);
    expect(list.badLines).toEqual([6, 7, 8, 9]);
    expect(reasonText(badLinesReason(list.badLines))).toMatch(/4 lines are not a 64-hex key \(lines 6, 7, 8, 9\)/);
  });
  it('normalizes or refuses single keys', () => {
    expect(normalizeKey(' ' + 'AA'.repeat(32) + '\t')).toBe('aa'.repeat(32));
    expect(normalizeKey('g'.repeat(64))).toBeNull();
    expect(normalizeKey('a'.repeat(65))).toBeNull();
  });
  it('prints keys as first8...last8', () => {
    expect(shortKey('0123456789abcdef'.repeat(4))).toBe('01234567...89abcdef');
  });
});

describe("kubo's ping stream", () => {
  it('is a success when pings answered, with the average latency', () => {
    const body = [
      { Success: true, Time: 0, Text: 'PING x.' },
      { Success: true, Time: 200_000, Text: '' },
      { Success: true, Time: 400_000, Text: '' },
      { Success: true, Time: 0, Text: 'Average latency: 0.30ms' },
    ].map((o) => JSON.stringify(o)).join('\n');
    expect(parsePingStream(body, null)).toEqual({ ok: true, latencyMs: 0.3, reason: null, why: null });
  });
  it('is a failure inside an HTTP 200, with the reason from the stream', () => {
    const body = [{ Success: true, Time: 0, Text: 'PING x.' }, { Success: false, Time: 0, Text: 'failed to dial: no good addresses' }]
      .map((o) => JSON.stringify(o)).join('\n');
    expect(parsePingStream(body, null)).toMatchObject({ ok: false, reason: 'failed to dial: no good addresses' });
    expect(parsePingStream(body, 'ping: peer lookup failed')).toMatchObject({ ok: false, reason: 'ping: peer lookup failed' });
  });
  it('explains an unknown peer', () => {
    const body = JSON.stringify({ Success: false, Time: 0, Text: 'Looking up peer x' });
    expect(parsePingStream(body, null)).toMatchObject({ ok: false, reason: expect.stringMatching(/not found/) });
    expect(parsePingStream('', null)).toMatchObject({ ok: false });
    expect(parsePingStream('garbage\n{', null)).toMatchObject({ ok: false });
  });
});
