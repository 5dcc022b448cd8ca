import { afterAll, describe, expect, it } from 'vitest';
import { buildStation, freePort, KuboStandin, onCleanup, runCleanup, runCli, startRelays, tmpDir } from '../support';

// Issue 2: `constellation info` tells facts only the real engine can know about a built station.
afterAll(runCleanup);

describe('constellation info', () => {
  it('prints the station PeerID and which services answer', async () => {
    const station = await buildStation({ seed: 'info-cli', peers: 1 });
    onCleanup(() => station.cleanup());
    const [relay] = await startRelays(1);
    const kubo = await KuboStandin.start({ peerId: station.self.peerId });
    onCleanup(() => kubo.stop());
    const data = await tmpDir();
    const base = ['--zen-root', station.root, '--data-dir', data, '--relay-url', relay!.url, '--kubo-api', kubo.url];

    const text = await runCli(['info', ...base]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(station.self.peerId);
    expect(text.stdout).toMatch(/local relay\s+ws:\/\/127\.0\.0\.1:\d+\s+reachable: yes/);
    expect(text.stdout).toMatch(/kubo API\s+http:\/\/127\.0\.0\.1:\d+\s+reachable: yes/);

    const json = await runCli(['info', '--json', ...base]);
    expect(json.code, json.stderr).toBe(0);
    const info = JSON.parse(json.stdout) as { peerId: string; peerIdSource: string; stationFound: boolean; services: { kubo: { reachable: boolean }; relay: { reachable: boolean } } };
    expect(info.peerId).toBe(station.self.peerId);
    expect(info.peerIdSource).toBe('kubo');
    expect(info.stationFound).toBe(true);
    expect(info.services.relay.reachable).toBe(true);
    expect(info.services.kubo.reachable).toBe(true);
  });

  it('says why kubo and the relay do not answer, and still finds the PeerID on disk', async () => {
    const station = await buildStation({ seed: 'info-cli-down', peers: 0 });
    onCleanup(() => station.cleanup());
    const data = await tmpDir();
    // A closed port on loopback: both checks fail at once without leaving the machine.
    const port = await freePort();
    const r = await runCli(['info', '--json', '--zen-root', station.root, '--data-dir', data, '--relay-url', `ws://127.0.0.1:${port}`, '--kubo-api', `http://127.0.0.1:${port}`]);
    expect(r.code, r.stderr).toBe(0);
    const info = JSON.parse(r.stdout) as { peerId: string; peerIdSource: string; services: { kubo: { reachable: boolean; error: string }; relay: { reachable: boolean; error: string } } };
    expect(info.services.kubo.reachable).toBe(false);
    expect(info.services.kubo.error).toMatch(/ECONNREFUSED|no answer/);
    expect(info.services.relay.reachable).toBe(false);
    expect(info.peerId).toBe(station.self.peerId);
    expect(info.peerIdSource).not.toBe('kubo');
  });

  it('exits 2 on bad usage', async () => {
    const r = await runCli(['info', '--no-such-flag']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option/);
  });
});
