/// <reference lib="dom" />
/**
 * The captain's window on the real engine (issues 2 and 7): `constellation serve` on a station built by the
 * harness, real relays and the kubo stand-in on 127.0.0.1, driven in Chromium.
 */
import { createServer, type AddressInfo } from 'node:net';
import { expect, test, type Page } from '@playwright/test';
import { startWorld, type World } from './fixtures/world';
import { shoot } from './fixtures/screens';
import { brokenBoxes, consoleErrors, expectLegibleGraph, sidewaysScrolling } from './fixtures/checks';
import { nodeList } from '../../src/shared/schemas';

let world: World;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  world = await startWorld();
});
test.afterAll(async () => {
  await world?.stop();
});

async function open(page: Page, hash = ''): Promise<void> {
  const u = new URL(world.url);
  u.hash = hash;
  await page.goto(u.toString());
}
async function go(page: Page, screen: string): Promise<void> {
  await page.locator(`nav button[data-screen="${screen}"]`).click();
  await expect(page.locator('main h1')).toBeVisible();
}

test('the overview shows the built station PeerID and whether its relay and kubo answer', async ({ page }) => {
  await open(page);
  await expect(page.locator('[data-test="peer-id"]')).toHaveText(world.station.self.peerId);
  await expect(page.locator('[data-test="relay"]')).toHaveAttribute('data-ok', 'yes');
  await expect(page.locator('[data-test="relay"]')).toContainText(world.local.url);
  await expect(page.locator('[data-test="kubo"]')).toHaveAttribute('data-ok', 'yes');
  await expect(page.locator('[data-test="kubo"]')).toContainText(world.kubo.url);
});

test('a sync started from the overview moves the per-peer bars, finishes, and its run is in the history with the imported count', async ({ page }) => {
  const before = await world.local.count();
  // Reach opened before the first sync: nothing computed yet (the stale-Reach sequence goes on below).
  await open(page, '#/reach');
  await expect(page.locator('main')).toContainText('No reach computed yet');
  await go(page, 'overview');
  await expect(page.locator('[data-test="peer-id"]')).toHaveText(world.station.self.peerId);
  // Record every phase and bar value each peer shows, from the first progress event to the end.
  await page.evaluate(() => {
    const seen: Record<string, string[]> = {};
    const w = window as unknown as { __phases: Record<string, string[]> };
    w.__phases = seen;
    const record = (): void => {
      for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-test="sync-peer"]'))) {
        const peer = el.dataset.peer ?? '?';
        const bar = el.querySelector('[role="progressbar"]')?.getAttribute('aria-valuenow') ?? '';
        const entry = `${el.dataset.phase}:${bar}`;
        const list = (seen[peer] ??= []);
        if (list[list.length - 1] !== entry) list.push(entry);
      }
    };
    new MutationObserver(record).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  await page.locator('[data-test="sync-now"]').click();
  await expect(page.locator('main h1')).toHaveText('Sync');
  await expect(page.locator('[data-test="sync-peer"]').first()).toBeVisible();
  await expect(page.locator('[data-test="sync-overall"]')).toHaveAttribute('data-running', 'no', { timeout: 90_000 });
  await expect(page.locator('[data-test="sync-last"]')).toBeVisible();

  const phases = await page.evaluate(() => (window as unknown as { __phases: Record<string, string[]> }).__phases);
  const [alpha, beta] = world.station.peers;
  for (const p of [alpha, beta]) {
    const seen = phases[p!.id] ?? [];
    expect(seen.length, `phases shown for ${p!.id}: ${seen.join(' → ')}`).toBeGreaterThan(1);
    expect(seen[seen.length - 1]).toBe('done:100');
    expect(seen.some((s) => !s.startsWith('done')), `a working phase before done for ${p!.id}: ${seen.join(' → ')}`).toBe(true);
  }
  const gamma = phases[world.downPeer] ?? [];
  expect(gamma[gamma.length - 1] ?? '', `gamma's phases: ${gamma.join(' → ')}`).toMatch(/^failed:/);

  const after = await world.local.count();
  expect(after - before).toBe(world.expectedImported);
  const runs = await world.call('history.list', { limit: 5 });
  const run = runs[0];
  expect(run?.imported).toBe(world.expectedImported);

  await go(page, 'history');
  const row = page.locator(`[data-test="history-run"][data-run="${run!.id}"]`);
  await expect(row).toBeVisible();
  await expect(row.locator('[data-test="run-imported"]')).toHaveAttribute('data-n', String(world.expectedImported));
  await expect(page.locator('[data-test="history-detail"]')).toBeVisible();
  // The report leaves as one HTML file, as the engine wrote it.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test="history-export"]').click()]);
  const exported = await world.call('history.exportHtml', { id: run!.id });
  expect(download.suggestedFilename()).toBe(exported.filename);
  // The category chart adds up to what each run received (what the engine counts by category), and says so.
  await expect(page.locator('[data-test="history-categories"]')).toBeVisible();
  const drawn = JSON.parse((await page.locator('[data-test="history-categories"]').getAttribute('data-drawn')) ?? '[]') as number[];
  const listed = await world.call('history.list', { limit: 50 });
  const received = [...listed].sort((a, b) => a.startedAt - b.startedAt).map((r) => r.categories.events ?? 0);
  expect(drawn).toEqual(received);
  expect(drawn.at(-1)).toBeGreaterThan(0);
  await expect(page.locator('main')).toContainText('Events received per category');
  await expect(page.locator('main')).not.toContainText('Events imported per category');

  // Issue 17, item 1: Constellation then Reach after the sync: the reach shows (Graph and Reach were one flag).
  await go(page, 'graph');
  await expect(page.locator('[data-test="graph-canvas"]')).toHaveAttribute('data-rendered', 'yes', { timeout: 60_000 });
  await go(page, 'reach');
  const reach = await world.call('graph.reach');
  expect(reach).not.toBeNull();
  await expect(page.locator('[data-test="reach-n1"]')).toHaveText(new Intl.NumberFormat('en').format(reach!.n1));
  await expect(page.locator('main')).not.toContainText('No reach computed yet');
});

test('a peer whose relay is down shows its reason on the Stations screen', async ({ page }) => {
  await open(page, '#/stations');
  await expect(page.locator('main h1')).toHaveText('Stations');
  const down = page.locator(`tbody[data-peer="${world.downPeer}"]`);
  await expect(down).toBeVisible();
  await expect(down.locator('[data-test="peer-last"] .pill')).toHaveText('failed');
  const reason = down.locator('[data-test="peer-last-reason"]');
  await expect(reason).not.toBeEmpty();
  const report = await world.call('history.get', { id: (await world.call('history.list', { limit: 1 }))[0]!.id });
  const outcome = report?.peers.find((p) => p.peer === world.downPeer);
  expect(outcome?.ok).toBe(false);
  // The engine's reason, without the peer's name in front of it (the row already names the peer).
  const shown = (await reason.textContent()) ?? '';
  expect(shown.length).toBeGreaterThan(10);
  expect(outcome!.reason!.endsWith(shown)).toBe(true);
  expect(shown).not.toContain(world.downPeer);
  // A card without a relay is kept out of the sync with its own reason.
  const noRelay = page.locator(`tbody[data-peer="${world.noRelayPeer}"]`);
  await expect(noRelay.locator('[data-test="peer-reason"]')).not.toBeEmpty();
  // Filtering narrows the table.
  await page.locator('[data-test="stations-filter"]').fill('gamma-down');
  await expect(page.locator('[data-test="stations-table"] tbody[data-peer]')).toHaveCount(1);
  await page.locator('[data-test="stations-filter"]').fill('');
  // "Toulouse,France" on a card reads "Toulouse, France".
  await expect(page.locator('[data-test="stations-table"]')).not.toContainText(/\w,\w/);
});

test('the constellation graph draws and shows the node count the engine gives', async ({ page }) => {
  const sub = await world.call('graph.subgraph', { depth: 2, limit: 20000 });
  const nodes = nodeList(sub.nodes);
  expect(nodes.length).toBeGreaterThan(3);
  await open(page, '#/graph');
  const canvas = page.locator('[data-test="graph-canvas"]');
  await expect(canvas).toHaveAttribute('data-rendered', 'yes', { timeout: 60_000 });
  // N2 is a halo until asked for: the nodes drawn are the others; with "Show the N2", all of them.
  const withoutN2 = nodes.filter((n) => n.kind !== 'n2').length;
  await expect(page.locator('[data-test="graph-node-count"]')).toHaveAttribute('data-count', String(withoutN2));
  if (nodes.length > withoutN2) {
    await page.locator('[data-test="graph-show-n2"]').check();
    await expect(page.locator('[data-test="graph-node-count"]')).toHaveAttribute('data-count', String(nodes.length));
    await expect(canvas).toHaveAttribute('data-rendered', 'yes', { timeout: 60_000 });
    await page.locator('[data-test="graph-show-n2"]').uncheck();
    await expect(page.locator('[data-test="graph-node-count"]')).toHaveAttribute('data-count', String(withoutN2));
  }
  // The WebGL canvas really holds a drawing: the stage with the canvases visible differs from the bare stage.
  const drawn = await canvas.screenshot();
  await canvas.evaluate((el) => el.querySelectorAll('canvas').forEach((c) => (c.style.visibility = 'hidden')));
  const bare = await canvas.screenshot();
  await canvas.evaluate((el) => el.querySelectorAll('canvas').forEach((c) => (c.style.visibility = '')));
  expect(drawn.equals(bare)).toBe(false);
  expect(drawn.length).toBeGreaterThan(bare.length * 1.2);
});

test('a member found in the graph shows its name under the mouse and opens its profile on click', async ({ page }) => {
  const sub = await world.call('graph.subgraph', { depth: 2, limit: 20000 });
  const node = nodeList(sub.nodes).find((n) => n.id === world.known.hex);
  if (!node) throw new Error(`the engine's subgraph does not hold the known member ${world.known.hex}`);
  expect(node.label).toBe(world.known.name);
  await open(page, '#/graph');
  const canvas = page.locator('[data-test="graph-canvas"]');
  await expect(canvas).toHaveAttribute('data-rendered', 'yes', { timeout: 60_000 });

  // A name nobody has: said so, and the camera does not move.
  await page.locator('[data-test="graph-find"]').fill('nobody-by-this-name');
  await page.locator('[data-test="graph-find"]').press('Enter');
  await expect(page.locator('[data-test="graph-find-none"]')).toContainText('nobody-by-this-name');
  await expect(canvas).toHaveAttribute('data-focused', '');

  // Part of the name, any case, no accents: the camera moves onto the member and centres it.
  await page.locator('[data-test="graph-find"]').fill('aurore lumiere');
  await page.locator('[data-test="graph-find-go"]').click();
  await expect(canvas).toHaveAttribute('data-focused', world.known.hex);
  await expect(page.locator('[data-test="graph-found"]')).toContainText(world.known.name);

  // The real mouse over the canvas centre: sigma picks the node under it (WebGL picking), the name shows.
  const box = await canvas.boundingBox();
  if (!box) throw new Error('the graph canvas has no box');
  await page.mouse.move(box.x + 20, box.y + box.height - 20);
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2, { steps: 4 });
  await expect(page.locator('[data-test="graph-hover"]')).toHaveText(world.known.name);
  await shoot(page, 'graph-hover');
  // Off the node the name goes away again.
  await page.mouse.move(box.x + 5, box.y + 5);
  await expect(page.locator('[data-test="graph-hover"]')).toHaveCount(0);

  // A click on it opens the Profiles screen on that member.
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect(page.locator('main h1')).toHaveText('Profiles');
  await expect(page.locator('[data-test="profile-nip05"]')).toHaveText(world.known.nip05);
});

test('the graph zoom buttons move the camera and bring the whole graph back', async ({ page }) => {
  await open(page, '#/graph');
  const canvas = page.locator('[data-test="graph-canvas"]');
  await expect(canvas).toHaveAttribute('data-rendered', 'yes', { timeout: 60_000 });
  const whole = await canvas.screenshot();
  await page.locator('[data-test="graph-zoom-in"]').click();
  await page.locator('[data-test="graph-zoom-in"]').click();
  await page.waitForTimeout(900);
  const zoomed = await canvas.screenshot();
  expect(zoomed.equals(whole)).toBe(false);
  // Keyboard: the reset button is reachable and works from Enter.
  await page.locator('[data-test="graph-zoom-reset"]').focus();
  await page.keyboard.press('Enter');
  await page.waitForTimeout(900);
  const back = await canvas.screenshot();
  expect(back.equals(whole)).toBe(true);
});

test('the reach screen shows the engine figures', async ({ page }) => {
  const reach = await world.call('graph.reach');
  await open(page, '#/reach');
  await expect(page.locator('main h1')).toHaveText('Reach');
  if (reach) {
    await expect(page.locator('[data-test="reach-n1"]')).toHaveText(new Intl.NumberFormat('en').format(reach.n1));
    await expect(page.locator('[data-test="reach-members"]')).toHaveText(new Intl.NumberFormat('en').format(reach.members));
  } else {
    throw new Error('graph.reach answered null after a sync: the graph part computed nothing');
  }
});

test('searching a known name opens its profile with the right NIP-05, remote text shown as text', async ({ page }) => {
  await open(page, '#/profiles');
  await page.locator('[data-test="profiles-search"]').fill('Aurore');
  const card = page.locator(`[data-test="profiles-grid"] button[data-hex="${world.known.hex}"]`);
  await expect(card).toBeVisible();
  await card.click();
  await expect(page.locator('[data-test="profile-nip05"]')).toHaveText(world.known.nip05);
  await expect(page.locator('[data-test="profile-name"]')).toHaveText(world.known.name);
  // The about text carried HTML: it must show as characters, never as elements.
  await expect(page.locator('[data-test="profile-about"] b')).toHaveCount(0);
  await expect(page.locator('[data-test="profile-pane"] script')).toHaveCount(0);
});

test('a setting survives a reload, and a bad value is refused next to its field', async ({ page }) => {
  await open(page, '#/settings');
  await expect(page.locator('main h1')).toHaveText('Settings');
  const days = page.locator('[data-test="setting-days"]');
  await days.fill('3');
  await page.locator('[data-test="settings-save"]').click();
  await expect(page.locator('[data-test="settings-status"]')).toHaveText('Settings saved.');
  expect((await world.call('settings.get')).days).toBe(3);

  await page.reload();
  await expect(page.locator('main h1')).toHaveText('Settings');
  await expect(page.locator('[data-test="setting-days"]')).toHaveValue('3');

  const minutes = page.locator('[data-test="setting-scheduleMinutes"]');
  await minutes.fill('2');
  await expect(page.locator('[data-test="error-scheduleMinutes"]')).toHaveText('Must be at least 5.');
  await expect(minutes).toHaveAttribute('aria-invalid', 'true');
  await page.locator('[data-test="setting-relayUrl"]').fill('http://not-a-relay');
  await expect(page.locator('[data-test="error-relayUrl"]')).toHaveText('Must be a ws:// or wss:// URL.');
  await page.locator('[data-test="settings-save"]').click();
  await expect(page.locator('[data-test="settings-status"]')).toContainText('need a fix');
  expect((await world.call('settings.get')).scheduleMinutes).not.toBe(2);
});

test('switching to French changes the labels', async ({ page }) => {
  await open(page, '#/settings');
  await page.locator('[data-test="setting-language"]').selectOption('fr');
  await expect(page.locator('main h1')).toHaveText('Réglages');
  await expect(page.locator('nav button[data-screen="overview"]')).toHaveText(/Vue d’ensemble/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'fr');
  await go(page, 'overview');
  await expect(page.locator('[data-test="sync-now"]')).toHaveText('Synchroniser maintenant');
  // The engine's reasons follow the language too: the down peer's failure reads in French, its PeerID kept.
  await go(page, 'stations');
  const reason = page.locator(`tbody[data-peer="${world.downPeer}"] [data-test="peer-last-reason"]`);
  await expect(reason).toContainText('le relais du pair n’a pas répondu');
  await expect(reason).not.toContainText('did not answer');
  await expect(page.locator(`tbody[data-peer="${world.noRelayPeer}"] [data-test="peer-reason"]`)).toHaveText('la carte n’a pas de myRELAY');
  // …and so do the engine's own lines in the Sync screen's log (the first test's run: its start and its summary)
  await go(page, 'sync');
  const log = page.locator('[data-test="sync-log"]');
  await expect(log).toContainText(/synchronisation \S+\u00a0: \d+ pairs?, \d+ membres, fenêtre/);
  await expect(log).toContainText(/synchronisation \S+\u00a0: (réussie|en partie échouée|échouée)\u00a0; \d+ importés?/);
  await expect(log).not.toContainText('window:');
  await expect(log).not.toContainText('superseded or deleted');
  // debug lines (English, one per member without a profile) stay out of the Journal; its clock speaks French
  await expect(log).not.toContainText('still without a profile');
  await expect(log).not.toContainText(/\d:\d\d:\d\d\s?[AP]M/);
  await go(page, 'settings');
  await page.locator('[data-test="setting-language"]').selectOption('en');
  await expect(page.locator('main h1')).toHaveText('Settings');
});

test('the dark theme follows the system, and the constellation is legible in it: edges drawn, no white disc, labels apart', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await open(page);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(page.locator('[data-test="last-outcome"]')).toBeVisible();
  await go(page, 'graph');
  await expect(page.locator('[data-test="graph-canvas"]')).toHaveAttribute('data-complete', 'yes', { timeout: 60_000 });
  await expectLegibleGraph(page);
  // The legend names the groups and the station states.
  await expect(page.locator('[data-test="graph-legend"]')).toContainText('this station');
});

test('the theme changed on the Constellation screen: drawn again on the same WebGL stage, over the dark background', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await open(page, '#/graph');
  const canvas = page.locator('[data-test="graph-canvas"]');
  await expect(canvas).toHaveAttribute('data-complete', 'yes', { timeout: 60_000 });
  const renders = Number(await canvas.getAttribute('data-renders'));
  // The stage's canvases, marked: a stage made again would bring new ones (and new WebGL contexts).
  const marked = await canvas.evaluate((el) => {
    const all = Array.from(el.querySelectorAll('canvas'));
    all.forEach((c) => c.setAttribute('data-kept', '1'));
    return { canvases: all.length, webgl: el.querySelectorAll('canvas.sigma-nodes, canvas.sigma-edges, canvas.sigma-hoverNodes').length };
  });
  // Two WebGL layers (nodes, edges): the hovered node is drawn in 2D (graphStage.ts).
  expect(marked.webgl).toBe(2);
  // The stage's own background (sigma's layers are transparent over it), as the theme sets it.
  const background = (): Promise<number> =>
    canvas.evaluate((el) => {
      const [r, g, b] = (getComputedStyle(el).backgroundColor.match(/\d+/g) ?? []).map(Number);
      return ((r ?? 0) + (g ?? 0) + (b ?? 0)) / 3;
    });
  expect(await background()).toBeGreaterThan(200);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(canvas).toHaveAttribute('data-complete', 'yes', { timeout: 60_000 });
  await expect.poll(async () => Number(await canvas.getAttribute('data-renders'))).toBeGreaterThan(renders);
  expect(await background()).toBeLessThan(60);
  const after = await canvas.evaluate((el) => ({ canvases: el.querySelectorAll('canvas').length, kept: el.querySelectorAll('canvas[data-kept]').length }));
  expect(after).toEqual({ canvases: marked.canvases, kept: marked.canvases });
});

test('the web host shows no desktop-only setting, and the schedule texts agree with the settings', async ({ page }) => {
  await world.call('settings.set', { scheduleEnabled: true });
  try {
    await open(page, '#/overview');
    // Ticked in the settings, but this web host runs no schedule: said so, not "turned off".
    await expect(page.locator('[data-test="schedule-state"]')).toHaveAttribute('data-state', 'notHere');
    await expect(page.locator('[data-test="schedule-state"]')).toContainText('serve --schedule');
    await expect(page.locator('main')).not.toContainText('turned off');
    await go(page, 'settings');
    await expect(page.locator('[data-test="setting-scheduleEnabled"]')).toBeChecked();
    await expect(page.locator('[data-test="schedule-not-here"]')).toBeVisible();
    await expect(page.locator('main')).not.toContainText('Start minimised');
    await expect(page.locator('main')).not.toContainText('Start at login');
    await expect(page.locator('[data-test="settings-notifications"]')).toHaveCount(0);
  } finally {
    await world.call('settings.set', { scheduleEnabled: false });
  }
  await open(page, '#/overview');
  await expect(page.locator('[data-test="schedule-state"]')).toHaveAttribute('data-state', 'off');
});

test('the address without its token shows how to open the window, in the browser’s language; favicon and CSP header served', async ({ browser }) => {
  for (const [locale, title] of [
    ['en-US', 'Open Constellation with its address and token'],
    ['fr-FR', 'Ouvrez Constellation avec son adresse et son jeton'],
  ] as const) {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    const errors = consoleErrors(page);
    const response = await page.goto(`${world.origin}/`);
    await expect(page.locator('[data-test="no-token"] h1')).toContainText(title);
    await expect(page.locator('[data-test="no-token"]')).toContainText('constellation serve');
    // Nothing that looks like it works without the engine.
    await expect(page.locator('[data-test="sync-now"]')).toHaveCount(0);
    await expect(page.locator('nav')).toHaveCount(0);
    await page.waitForTimeout(300);
    expect(errors).toEqual([]);
    // frame-ancestors travels in the header (a <meta> may not carry it); the page's meta has the rest.
    expect(response?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).not.toContain('frame-ancestors');
    await context.close();
  }
  const icon = await fetch(`${world.origin}/favicon.png`);
  expect(icon.status).toBe(200);
  expect(icon.headers.get('content-type')).toBe('image/png');
});

test('every screen is reachable with the keyboard alone', async ({ page }) => {
  await open(page);
  await expect(page.locator('[data-test="peer-id"]')).toHaveText(world.station.self.peerId);
  const wanted = { stations: 'Stations', graph: 'Constellation', reach: 'Reach', profiles: 'Profiles', sync: 'Sync', history: 'History', settings: 'Settings' };
  for (const [screen, title] of Object.entries(wanted)) {
    // From wherever the focus is (the new screen's heading), Shift+Tab back into the nav to that screen's button.
    let found = false;
    for (let i = 0; i < 80 && !found; i++) {
      await page.keyboard.press('Shift+Tab');
      found = await page.evaluate((s) => (document.activeElement as HTMLElement | null)?.dataset.screen === s, screen);
    }
    expect(found, `the ${screen} button is reached by Tab`).toBe(true);
    await page.keyboard.press('Enter');
    await expect(page.locator('main h1')).toHaveText(title);
    await expect(page.locator(`nav button[data-screen="${screen}"]`)).toHaveAttribute('aria-current', 'page');
  }
  // Every input of the settings screen has a label.
  const unlabelled = await page.evaluate(() =>
    Array.from(document.querySelectorAll('main input, main select, main textarea'))
      .filter((el) => !(el.closest('label') || el.getAttribute('aria-label') || (el.id && document.querySelector(`label[for="${el.id}"]`))))
      .map((el) => el.outerHTML.slice(0, 80)),
  );
  expect(unlabelled).toEqual([]);
});

const SCREEN_NAMES = ['overview', 'stations', 'graph', 'reach', 'profiles', 'sync', 'history', 'settings'] as const;

/** Waits until a screen shows its content (not "Loading…"), so its picture and checks are of the real thing. */
async function settle(page: Page, screen: (typeof SCREEN_NAMES)[number]): Promise<void> {
  if (screen === 'graph') await expect(page.locator('[data-test="graph-canvas"]')).toHaveAttribute('data-complete', 'yes', { timeout: 60_000 });
  if (screen === 'overview') await expect(page.locator('[data-test="last-outcome"]')).toBeVisible();
  if (screen === 'reach') await expect(page.locator('[data-test="reach-n1"]')).toBeVisible();
  if (screen === 'history') await expect(page.locator('[data-test="history-detail"]')).toBeVisible();
  if (screen === 'stations') await expect(page.locator('[data-test="stations-table"]')).toBeVisible();
  if (screen === 'settings') await expect(page.locator('[data-test="settings-save"]')).toBeVisible();
  await expect(page.locator('main')).not.toContainText(/Loading…|Chargement…/);
  // Charts animate for 250 ms.
  await page.waitForTimeout(['reach', 'history'].includes(screen) ? 400 : 150);
}

test('every screen, in both themes and both languages: no console error, no sideways scrolling at 1280×800, nothing out of its card; screenshots', async ({ page }) => {
  test.setTimeout(300_000);
  await page.setViewportSize({ width: 1280, height: 800 });
  const errors = consoleErrors(page);
  const problems: string[] = [];
  try {
    for (const lang of ['en', 'fr'] as const) {
      await world.call('settings.set', { language: lang, theme: 'system' });
      for (const theme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: theme });
        await open(page, '#/overview');
        await expect(page.locator('html')).toHaveAttribute('lang', lang);
        for (const screen of SCREEN_NAMES) {
          await page.locator(`nav button[data-screen="${screen}"]`).click();
          await expect(page.locator('main h1')).toBeVisible();
          await settle(page, screen);
          const where = `${screen} (${theme}, ${lang})`;
          for (const p of await sidewaysScrolling(page)) problems.push(`${where}: scrolls sideways: ${p}`);
          for (const p of await brokenBoxes(page)) problems.push(`${where}: ${p}`);
          await shoot(page, `${screen}-${theme}-${lang}`);
        }
      }
    }
  } finally {
    await world.call('settings.set', { language: 'en' });
  }
  expect(problems).toEqual([]);
  expect(errors).toEqual([]);
});

test('a sync cancelled at once reads "cancelled": no full green bar, its peers stopped, not queued', async ({ page }) => {
  // A run here ends in well under a second (the down peer costs one quick attempt): for the cancel to land while
  // it runs, the down peer's tunnel leads, for this test, to a relay that takes the connection and never answers.
  const silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const held = world.station.peers.find((p) => p.id === world.downPeer);
  if (!held) throw new Error('no down peer in the world');
  world.kubo.registerPeer(held.peerId, { host: '127.0.0.1', port: (silent.address() as AddressInfo).port });
  try {
    await cancelledAtOnce(page);
  } finally {
    silent.close();
  }
});

async function cancelledAtOnce(page: Page): Promise<void> {
  await open(page, '#/sync');
  await expect(page.locator('[data-test="sync-start"]')).toBeVisible();
  await page.locator('[data-test="sync-start"]').click();
  await page.locator('[data-test="sync-cancel"]').click();
  const overall = page.locator('[data-test="sync-overall"]');
  await expect(overall).toHaveAttribute('data-running', 'no', { timeout: 30_000 });
  await expect(overall).toHaveAttribute('data-state', 'cancelled');
  await expect(overall.locator('[data-test="sync-state"]')).toHaveText('cancelled');
  const bar = overall.locator('[role="progressbar"]');
  expect(Number(await bar.getAttribute('aria-valuenow'))).toBeLessThan(100);
  await expect(bar).not.toHaveClass(/\bdone\b/);
  await expect(overall).not.toContainText(/\bdone\b/);
  // No peer is left "queued": each one finished or was stopped by the cancel.
  const phases = await page.locator('[data-test="sync-peer"]').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.phase));
  expect(phases.length).toBeGreaterThan(0);
  for (const phase of phases) expect(['done', 'failed', 'cancelled']).toContain(phase);
  expect(phases).toContain('cancelled');
  const last = (await world.call('history.list', { limit: 1 }))[0];
  expect(last?.outcome).toBe('cancelled');
  await expect(page.locator('[data-test="sync-last"]')).toContainText('cancelled');
}
