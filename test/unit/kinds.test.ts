import { describe, expect, it } from 'vitest';
import { DEFAULT_KINDS, countEvent, emptyCounts, formatSyncStats, kindsByCategory, STAT_KEYS } from '../../src/shared/kinds';

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
    expect(line.split(' ').length - 1).toBe(STAT_KEYS.length);
  });
});
