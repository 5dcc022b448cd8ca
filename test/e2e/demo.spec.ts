/**
 * The demo constellation in Chromium, as a newcomer meets it: `constellation serve --demo` on a fresh data
 * folder, then Overview (the demo banner), Sync (a run starts and finishes), Reach (friends of friends: N2 > 0,
 * N1 partly covered by profiles, members who bring N2 alone), Constellation (the graph draws nodes) and Profiles
 * (a search finds a demo member).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { REPO_ROOT } from '../support/index';
import { expectLegibleGraph } from './fixtures/checks';
import { shoot } from './fixtures/screens';

let tmp = '';
let child: ChildProcess | null = null;
let url = '';

test.beforeAll(async () => {
  test.setTimeout(180_000);
  tmp = await mkdtemp(join(tmpdir(), 'constellation-e2e-demo-'));
  // The demo engine's own settings: English, and no scheduled run firing in the middle of the test.
  await mkdir(join(tmp, 'demo', 'app'), { recursive: true });
  await writeFile(join(tmp, 'demo', 'app', 'settings.json'), JSON.stringify({ days: 7, language: 'en', scheduleEnabled: false }));
  const node = join(REPO_ROOT, 'node_modules', '.bin', 'node');
  child = spawn(node, [join(REPO_ROOT, 'bin', 'constellation.mjs'), 'serve', '--demo', '--port', '0', '--data-dir', tmp], {
    cwd: REPO_ROOT,
    // The built CLI (out/main/cli.js): the browser tests run right after `npm run build`, so they check the build.
    env: { ...process.env, NO_COLOR: '1', CONSTELLATION_FROM_BUILD: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve --demo printed no URL within 150 s; stderr:\n${err}`)), 150_000);
    child!.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\S*token=[0-9a-f]+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child!.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`serve --demo exited (${code ?? sig}) before printing its URL; stderr:\n${err}`));
    });
  });
});

test.afterAll(async () => {
  if (child && child.exitCode === null) {
    await new Promise<void>((resolve) => {
      child!.once('exit', () => resolve());
      child!.kill('SIGTERM');
      setTimeout(() => child!.kill('SIGKILL'), 5000).unref();
    });
  }
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** A number as the window prints it in English ("10,835"). */
const figure = (text: string | null): number => Number((text ?? '').replace(/[^\d]/g, '') || 'NaN');

test('the demo constellation: overview, sync, reach, constellation, profiles', async ({ page }) => {
  test.setTimeout(420_000);
  await page.goto(url);

  // Overview: the banner says this is a demo.
  await expect(page.locator('[data-test="demo-banner"]')).toBeVisible();
  await expect(page.locator('[data-test="demo-banner"]')).toContainText(/demo/i);

  // Sync: start a run and see it finish.
  await page.locator('[data-screen="sync"]').click();
  await page.locator('[data-test="sync-start"]').click();
  await expect(page.locator('[data-test="sync-overall"]')).toHaveAttribute('data-running', 'yes', { timeout: 30_000 });
  await expect(page.locator('[data-test="sync-peer"]')).toHaveCount(4, { timeout: 60_000 });
  await expect(page.locator('[data-test="sync-last"]')).toBeVisible({ timeout: 300_000 });
  await expect(page.locator('[data-test="sync-overall"]')).toHaveAttribute('data-running', 'no');

  // Reach: the demo is a constellation in miniature, so its headline figures are not zeros: the station's relay
  // holds follow lists of many N1 keys (N2 > 0), profiles for part of N1, and some members bring N2 alone.
  await page.locator('[data-screen="reach"]').click();
  await expect.poll(async () => figure(await page.locator('[data-test="reach-n2"]').textContent()), { timeout: 120_000 }).toBeGreaterThan(1000);
  expect(figure(await page.locator('[data-test="reach-n1"]').textContent())).toBeGreaterThan(1000);
  const n2Alone = await page.locator('table.grid tbody tr').first().locator('td.num').nth(1).textContent();
  expect(figure(n2Alone)).toBeGreaterThan(0);
  await shoot(page, 'demo-reach-light');

  // Constellation: the graph draws, with nodes.
  await page.locator('[data-screen="graph"]').click();
  await expect(page.locator('[data-test="graph-canvas"]')).toBeVisible({ timeout: 60_000 });
  await expect
    .poll(async () => Number(await page.locator('[data-test="graph-node-count"]').getAttribute('data-count')), { timeout: 90_000 })
    .toBeGreaterThan(0);
  await expect(page.locator('[data-test="graph-canvas"] canvas').first()).toBeVisible();
  // The demo's graph is large enough (over 5,000 edges) that its edges follow the first frame: they get drawn too.
  expect(Number(await page.locator('[data-test="graph-node-count"]').getAttribute('data-edges'))).toBeGreaterThan(5000);
  await expect(page.locator('[data-test="graph-canvas"]')).toHaveAttribute('data-complete', 'yes', { timeout: 60_000 });
  await shoot(page, 'demo-graph-light');

  // Profiles: a demo member (a peer station's captain) is found by name.
  await page.locator('[data-screen="profiles"]').click();
  const search = page.locator('[data-test="profiles-search"]');
  await search.fill('alpha');
  await search.press('Enter');
  const cards = page.locator('[data-test="profiles-grid"] .profile-card');
  await expect(cards.first()).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('[data-test="profiles-grid"]')).toContainText('alpha');
});

test('the demo constellation is legible in the dark theme: edges drawn, no white disc, labels apart', async ({ page }) => {
  // Thousands of follows (a real constellation's density): where a crowd of faint edges once made a white disc.
  await page.emulateMedia({ colorScheme: 'dark' });
  const u = new URL(url);
  u.hash = '#/graph';
  await page.goto(u.toString());
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.locator('[data-test="graph-canvas"]')).toHaveAttribute('data-complete', 'yes', { timeout: 90_000 });
  expect(Number(await page.locator('[data-test="graph-node-count"]').getAttribute('data-edges'))).toBeGreaterThan(5000);
  await expectLegibleGraph(page);
  await shoot(page, 'demo-graph-dark');
});
