// The station service watches the folder and emits station.changed (debounced) with the new snapshot.
import { afterEach, describe, expect, it } from 'vitest';
import { appendFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildStation, cardJson, keyFromSeed, peerIdFromSeed, type BuiltStation } from '../../src/devkit/index';
import { createStationService } from '../../src/core/station';
import { stationOnlyContext } from '../support/engine-context';
import type { StationSnapshot } from '../../src/shared/schemas';
import type { StationService } from '../../src/core/services';

let station: BuiltStation | null = null;
let service: StationService | null = null;

afterEach(async () => {
  await service?.stop();
  await station?.cleanup();
  service = station = null;
});

async function start(): Promise<{ changes: StationSnapshot[]; service: StationService; station: BuiltStation }> {
  station = await buildStation({ seed: 'watch', peers: 1 });
  const ctx = stationOnlyContext(station.root);
  const events = ctx.events;
  const changes: StationSnapshot[] = [];
  events.on('station.changed', (s) => changes.push(s));
  service = createStationService(ctx);
  await service.start();
  return { changes, service, station };
}

async function until(check: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting for station.changed');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('watching the station', () => {
  it('emits station.changed once for a burst of changes, with the new peer', async () => {
    const { changes, service, station } = await start();
    expect((await service.snapshot()).peers).toHaveLength(1);
    const id = peerIdFromSeed('watch:new');
    const dir = join(station.root, 'tmp', 'swarm', id);
    await mkdir(dir, { recursive: true });
    const input = {
      peerId: id, hostname: 'new.example', relayUrl: 'wss://new.example', captainEmail: 'c@new.example',
      captain: keyFromSeed('n1'), node: keyFromSeed('n2'), uplanet: 'g1', created: Math.floor(Date.now() / 1000), lat: '1', lon: '2',
    };
    await writeFile(join(dir, '12345.json'), cardJson(input, 'normal'));
    await writeFile(join(dir, '_MySwarm.moats'), String(Math.floor(Date.now() / 1000)));
    await until(() => changes.length > 0);
    await new Promise((r) => setTimeout(r, 800));
    expect(changes).toHaveLength(1);
    const peer = changes[0]?.peers.find((p) => p.id === id);
    expect(peer).toMatchObject({ status: 'ok', route: 'direct', hostname: 'new.example' });
    expect((await service.snapshot()).peers).toHaveLength(2);
  });

  it('sees member list changes and a removed peer, and stays quiet for noise', async () => {
    const { changes, service, station } = await start();
    const before = (await service.snapshot()).members.count;
    // Noise: the relay database and unrelated tmp files do not change the snapshot.
    await mkdir(join(station.root, 'strfry', 'strfry-db'), { recursive: true });
    await writeFile(join(station.root, 'strfry', 'strfry-db', 'data.mdb'), 'x');
    await writeFile(join(station.root, 'tmp', 'unrelated.txt'), 'x');
    await new Promise((r) => setTimeout(r, 1000));
    expect(changes).toHaveLength(0);
    await appendFile(join(station.root, 'strfry', 'amisOfAmis.txt'), `${'ab'.repeat(32)}\n`);
    await until(() => changes.length === 1);
    expect(changes[0]?.members.count).toBe(before + 1);
    const peer = station.peers[0];
    if (!peer) throw new Error('no peer');
    await rm(peer.dir, { recursive: true, force: true });
    await until(() => changes.length === 2);
    expect(changes[1]?.peers).toHaveLength(0);
  });
});
