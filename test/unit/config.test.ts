import { describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS, makeConfig, timeoutsFromEnv } from '../../src/core/config';

describe('timeouts from the environment (CONSTELLATION_TIMEOUTS)', () => {
  it('takes named timeouts in ms over the defaults, under what the caller passes', () => {
    expect(timeoutsFromEnv(undefined)).toEqual({});
    expect(timeoutsFromEnv('{"kuboPing":3000,"connect":9000}')).toEqual({ kuboPing: 3000, connect: 9000 });
    const before = process.env.CONSTELLATION_TIMEOUTS;
    process.env.CONSTELLATION_TIMEOUTS = '{"kuboPing":3000,"idle":1234}';
    try {
      const c = makeConfig({ timeouts: { ...DEFAULT_TIMEOUTS, idle: 99 } });
      expect(c.timeouts.idle).toBe(99);
      expect(makeConfig().timeouts.kuboPing).toBe(3000);
    } finally {
      if (before === undefined) delete process.env.CONSTELLATION_TIMEOUTS;
      else process.env.CONSTELLATION_TIMEOUTS = before;
    }
  });
  it('refuses a wrong name or value with the reason', () => {
    expect(() => timeoutsFromEnv('kuboPing=3000')).toThrow(/CONSTELLATION_TIMEOUTS is not JSON/);
    expect(() => timeoutsFromEnv('{"kuboPong":3000}')).toThrow(/no timeout named "kuboPong" \(known: .*kuboPing/);
    expect(() => timeoutsFromEnv('{"kuboPing":-1}')).toThrow(/kuboPing must be a positive number/);
    expect(() => timeoutsFromEnv('[1]')).toThrow(/must be an object/);
  });
});
