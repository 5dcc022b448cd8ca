/**
 * The captain's window on the real engine (issues 2 and 7): `constellation serve` on a station built by the
 * harness, real relays and the kubo stand-in on 127.0.0.1, driven in Chromium.
 */
import { expect, test, type Page } from '@playwright/test';
import { startWorld, type World } from './fixtures/world';
import { shoot } from './fixtures/screens';

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
  await shoot(page, 'overview');
});
