import { describe, expect, it } from 'vitest';
import { DEFAULT_KINDS, countEvent, emptyCounts, formatSyncStats, kindsByCategory, STAT_KEYS, STATION_STAT_KEYS } from '../../src/shared/kinds';

describe('kinds registry', () => {
  it('holds the 57 kinds of the station script, once each', () => {
    expect(DEFAULT_KINDS).toHaveLength(57);
    expect(new Set(DEFAULT_KINDS).size).toBe(57);
  });

  it('puts every default kind in exactly one settings category', () => {
    const grouped = Object.values(kindsByCategory()).flat();
    expect(grouped.sort((a, b) => a - b)).toEqual([...DEFAULT_KINDS].sort((a, b) => a - b));
    expect(kindsByCategory().other ?? []).toEqual([]);
  });

  it('counts events as the station SYNC_STATS line does, keys in the station order', () => {
    const c = emptyCounts();
    countEvent(c, { kind: 4, content: 'x', tags: [] });
    countEvent(c, { kind: 1, content: 'hi', tags: [] });
    countEvent(c, { kind: 10000, content: 'nip44abc', tags: [] });
    countEvent(c, { kind: 10000, content: '', tags: [['t', 'analytics']] });
    countEvent(c, { kind: 10001, content: '', tags: [['p', 'x']] });
    const line = formatSyncStats(c);
    expect(line.startsWith('SYNC_STATS: events=5 dms=1 public=4 deletions=0 videos=0 ')).toBe(true);
    expect(line).toContain(' text=1 ');
    expect(line).toContain(' analytics=1 encrypted_analytics=1 ');
    expect(line).toContain(' playlists=0 ');
    // every key sync_report.sh reads, in its order, each once; then the categories Constellation adds
    const keys = line.slice('SYNC_STATS: '.length).split(' ').map((kv) => kv.split('=')[0]);
    expect(keys.slice(0, STATION_STAT_KEYS.length)).toEqual([...STATION_STAT_KEYS]);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(keys)).toEqual(new Set([...STATION_STAT_KEYS, ...STAT_KEYS]));
    expect(line).toContain(' economic_health=0 ');
    expect(line).toMatch(/ crowdfunding=0 /);
  });

  it('lists the 40 keys the station\'s sync_report.sh reads (station.md)', () => {
    const fromSpec =
      'events dms public deletions videos files comments voice tags tmdb channels playlists status did ore_spaces ore_meetings oracle economic_health workflows n2_memory nip52_calendar profiles text contacts reposts reactions blog drafts analytics encrypted_analytics badge_awards profile_badges badge_definitions love_ledger wotx2_objects wotx2_justice vibration_matches friction_reports zaps crowdfunding';
    expect(STATION_STAT_KEYS).toEqual(fromSpec.split(' '));
  });
});
