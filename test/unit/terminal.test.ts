/**
 * The command's terminal output (issue 17, item 7): lines fitted to the width so the terminal never wraps or cuts
 * them, warnings printed whole above a live area, summaries folded at spaces (never inside a number).
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cut, LiveArea, wrap } from '../../src/cli/terminal';
import { layout, peerLine, summaryLines } from '../../src/cli/commands/sync-view';
import { voiceOf } from '../../src/cli/voice';
import { glyphs } from '../../src/cli/terminal';
import type { PeerProgress, RunReport } from '../../src/shared/schemas';
import { Screen } from '../support/vt';

/** A terminal `cols` wide: what is written goes to an emulated screen. */
function terminal(cols: number): { out: NodeJS.WriteStream; screen: Screen } {
  const screen = new Screen(cols);
  const out = new Writable({
    write(chunk: Buffer, _enc, done) {
      screen.feed(chunk.toString());
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(out, { columns: cols, isTTY: true });
  return { out, screen };
}

const peer = (over: Partial<PeerProgress>): PeerProgress => ({
  peer: '12D3KooWLXhZEmpgSCq39RgB5MqsVGAiguj9j8FVZJgAYXPAjSQ6', hostname: 'alpha.demo.uplanet', route: 'direct', phase: 'fetch', method: 'nip77',
  have: 0, need: 0, fetched: 1173, imported: 566, bytesIn: 0, bytesOut: 0, rate: 0, coverage: 0.5, error: null, ...over,
});

describe('folding and cutting', () => {
  it('folds at spaces only: numbers, units held by a no-break space, and words stay whole', () => {
    const line = '  alpha.demo.uplanet  direct nip77  ok  1,173 fetched, 1,169 imported, 960.5\u00a0kB and a few more words';
    for (const width of [30, 40, 79]) {
      const lines = wrap(line, width);
      for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(width);
      expect(lines.join(' ').replace(/ +/g, ' ').trim()).toBe(line.replace(/ +/g, ' ').trim());
      expect(lines.join('\n')).toContain('960.5\u00a0kB');
    }
  });
  it('cuts with an ellipsis only what it must', () => {
    expect(cut('gamma.demo.uplanet', 30)).toBe('gamma.demo.uplanet');
    expect(cut('a-very-long-station-host-name.example', 12)).toBe('a-very-long…');
  });
});

describe('a live area', () => {
  it('keeps a long warning whole above the bars, and never lets the terminal wrap a line', () => {
    const { out, screen } = terminal(80);
    const area = new LiveArea(out);
    const bars = [' alpha [####------]  40% fetch', ' beta  [##--------]  20% probe'];
    area.draw(bars);
    const warning = `warning: peer 12D3KooWLXhZEmpgSCq39RgB5MqsVGAiguj9j8FVZJgAYXPAjSQ6 (alpha.demo.uplanet): tunnel opened but the peer's relay did not answer through it: ws://127.0.0.1:40001: connect ECONNREFUSED 127.0.0.1:40001`;
    area.log(warning);
    area.draw([' alpha [######----]  60% fetch', ' beta  [####------]  40% fetch']);
    const text = screen.text().filter((l) => l !== '');
    expect(screen.wrapped).toEqual([]);
    // The warning, folded, then the bars below it: every word of it is there.
    expect(text.slice(0, -2).join(' ').replace(/\s+/g, ' ')).toBe(warning);
    expect(text.slice(-2)).toEqual([' alpha [######----]  60% fetch', ' beta  [####------]  40% fetch']);
    // Closed: the bars go (the summary says it all), the warning stays.
    area.close();
    expect(screen.text().filter((l) => l !== '')).toEqual(text.slice(0, -2));
  });
});

describe('the sync view at 80 columns', () => {
  const v = voiceOf('en');
  const g = glyphs(true);
  it('labels bars by host name and never cuts a count; the bar gives way', () => {
    const peers = [
      peer({}),
      peer({ peer: 'x', hostname: 'a-station-with-a-rather-long-host-name.example', fetched: 1234567, imported: 1234567 }),
      peer({ hostname: null, peer: '12D3KooWMqe1aBTTESN8ofLXjD8KD1V92KpFK22vL7ZpquHP9MC9', phase: 'tunnel', coverage: 0 }),
    ];
    for (const width of [79, 60]) {
      const l = layout(peers, v, width);
      for (const p of peers) {
        const line = peerLine(p, l, v, g, 0);
        expect(line.length, line).toBeLessThanOrEqual(width);
        expect(line).toContain(v.w.sync.counts(v, p.fetched, p.imported));
      }
    }
    const lines = peers.map((p) => peerLine(p, layout(peers, v, 79), v, g, 0));
    expect(lines[0]).toMatch(/^ alpha\.demo\.uplanet\s+\[/);
    expect(lines[2]).toMatch(/^ 12D3KooW…9MC9\s+\[░+\]\s+⠋ tunnel/);
    expect(lines.join('\n')).not.toContain('12D3KooWLXhZ');
  });

  it('folds the summary at the width without splitting a number', () => {
    const report = {
      id: 'r', startedAt: 0, finishedAt: 1, durationMs: 16300, outcome: 'success', reason: null, options: {}, members: 295, categories: {},
      imported: 3194, duplicates: 1217, rejected: 0, superseded: 2, rejectReasons: {}, dropped: { deleted: 16, welcome: 14 }, bytesIn: 3_700_000, bytesOut: 548_000, plan: [],
      profiles: { found: 288, missing: 7, recovered: 41, outcomes: [] }, fetches: { events: 3300, distinct: 3194 }, localReads: 3,
      peers: [{ peer: 'p', hostname: 'beta.demo.uplanet', relayUrl: null, route: 'direct', method: 'nip77', ok: true, reason: null, fetched: 1038, imported: 1032, duplicates: 0, rejected: 0, superseded: 0, dropped: {}, bytesIn: 998_500, bytesOut: 0, durationMs: 1 }],
    } as RunReport;
    for (const width of [79, 50]) {
      const lines = summaryLines(report, v, width);
      for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(width);
      const text = lines.join(' ');
      for (const figure of ['1,038', '1,032', '998.5\u00a0kB', '3,194', '1,217', '3.7\u00a0MB', '548.0\u00a0kB']) expect(text).toContain(figure);
    }
    expect(summaryLines(report, v, 79).join('\n')).toContain('left out: 16 deleted events, 14 welcome notes');
    expect(summaryLines(report, v)).toContain('fetched 3,300 events for 3,194 ids (106 fetched again); local relay read 3 times');
  });
});
