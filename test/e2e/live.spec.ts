/// <reference lib="dom" />
/**
 * Live sync in the window (issue 16): `constellation serve --live` on a station with two peers — one reached
 * directly, one only through the kubo stand-in's tunnel — shows "Live: 2 of 2 peers" on the Overview and each
 * peer's live state on the Stations screen; when a peer's relay goes away, both follow.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { expect, test, type Page } from '@playwright/test';
import { KuboStandin, TestRelay, buildStation, type BuiltStation } from '../support/index';
import { startServe } from './fixtures/world';

let station: BuiltStation;
let local: TestRelay;
let direct: TestRelay;
let tunneled: TestRelay;
let kubo: KuboStandin;
let child: ChildProcess;
let url = '';
let dataDir = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  local = await TestRelay.start({ name: 'local' });
  direct = await TestRelay.start({ name: 'direct peer' });
  tunneled = await TestRelay.start({ name: 'tunnel peer' });
  station = await buildStation({
    seed: 'e2e-live',
    self: { hostname: 'home.live' },
    peers: [{ hostname: 'near.live', relayUrl: direct.url }, { hostname: 'far.live' }],
    members: { emails: 2 },
  });
  kubo = await KuboStandin.start({ peerId: station.self.peerId });
  kubo.registerPeer(station.peers[1]!.peerId, { host: '127.0.0.1', port: tunneled.port });
  dataDir = await mkdtemp(join(tmpdir(), 'constellation-e2e-live-'));
  // the direct peer is on this machine's loopback: listed as reached directly; never a public relay
  await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ fallbackRelays: [], scheduleEnabled: false, language: 'en', directRelays: [direct.url] }));
  ({ child, url } = await startServe(
    ['--live', '--port', '0', '--zen-root', station.root, '--data-dir', dataDir, '--relay-url', local.url, '--kubo-api', kubo.url],
    { CONSTELLATION_DATA_DIR: dataDir },
  ));
});

test.afterAll(async () => {
  if (child && child.exitCode === null) {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    });
  }
  await Promise.all([local?.stop(), direct?.stop(), tunneled?.stop(), kubo?.stop()]);
  await station?.cleanup();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function go(page: Page, screen: string): Promise<void> {
  await page.locator(`nav button[data-screen="${screen}"]`).click();
  await expect(page.locator('main h1')).toBeVisible();
}

test('the overview says how many peers stream live, and the stations screen each one\'s state', async ({ page }) => {
  await page.goto(url);
  await expect(page.locator('[data-test="live-line"]')).toHaveText('Live: 2 of 2 peers', { timeout: 30_000 });
  await go(page, 'stations');
  const near = page.locator(`tbody[data-peer="${station.peers[0]!.id}"] [data-test="peer-live"]`);
  const far = page.locator(`tbody[data-peer="${station.peers[1]!.id}"] [data-test="peer-live"]`);
  await expect(near.locator('[data-test="peer-live-state"]')).toHaveText('connected');
  await expect(near).toContainText('direct');
  await expect(far.locator('[data-test="peer-live-state"]')).toHaveText('connected');
  await expect(far).toContainText('tunnel');
  await expect(near).toContainText('in 0/min · out 0/min');

  // the direct peer's relay goes away: the line and its row follow
  await direct.stop();
  await expect(near.locator('[data-test="peer-live-state"]')).toHaveText(/reconnecting in \d+ s/, { timeout: 20_000 });
  await expect(page.locator(`tbody[data-peer="${station.peers[0]!.id}"] [data-test="peer-live-reason"]`)).toBeVisible();
  await go(page, 'overview');
  await expect(page.locator('[data-test="live-line"]')).toHaveText('Live: 1 of 2 peers');
});
