/// <reference lib="dom" />
/**
 * The programs the app runs are not chosen from the window (issue 15, attack 8): the Settings screen shows the
 * strfry binary, its config and the station root read-only, says where the captain sets them, and the engine
 * behind the web host refuses them from settings.set.
 */
import { expect, test } from '@playwright/test';
import { startWorld, type World } from './fixtures/world';

let world: World;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  world = await startWorld();
});
test.afterAll(async () => {
  await world?.stop();
});

test('the Settings screen shows the strfry binary, its config and the station root read-only, and how to change them', async ({ page }) => {
  const settings = await world.call('settings.get');
  const u = new URL(world.url);
  u.hash = '#/settings';
  await page.goto(u.toString());
  await expect(page.locator('main h1')).toHaveText('Settings');

  const bin = page.locator('[data-test="setting-strfryBin"]');
  await expect(bin).toHaveValue(settings.strfryBin);
  await expect(bin).toHaveAttribute('readonly', '');
  await expect(bin).not.toBeEditable();
  await expect(page.locator('[data-test="how-strfryBin"]')).toHaveText(
    `Read only. Set it with --strfry-bin on the command line, CONSTELLATION_STRFRY_BIN in the environment, or "strfryBin" in ${world.dataDir}/settings.json.`,
  );
  for (const [field, flag] of [['strfryConf', '--strfry-conf'], ['zenRoot', '--zen-root']] as const) {
    await expect(page.locator(`[data-test="setting-${field}"]`)).toHaveValue(settings[field]);
    await expect(page.locator(`[data-test="setting-${field}"]`)).not.toBeEditable();
    await expect(page.locator(`[data-test="how-${field}"]`)).toContainText(flag);
  }
  await expect(page.locator('[data-test="captain-only-note"]')).toContainText('never from this window');

  // Typing into it changes nothing, and nothing is there to save.
  await bin.click();
  await page.keyboard.type('/tmp/evil.sh');
  await expect(bin).toHaveValue(settings.strfryBin);
  await expect(page.locator('[data-test="settings-save"]')).toBeDisabled();

  // The engine behind the page refuses it too, whoever asks (here the web API with the token).
  await expect(world.call('settings.set', { strfryBin: '/tmp/evil.sh' })).rejects.toThrow(/strfryBin is not changed from the window or the web API/);
  expect((await world.call('settings.get')).strfryBin).toBe(settings.strfryBin);

  // In French too.
  await page.locator('[data-test="setting-language"]').selectOption('fr');
  await expect(page.locator('main h1')).toHaveText('Réglages');
  await expect(page.locator('[data-test="how-strfryBin"]')).toHaveText(
    `Lecture seule. À régler avec --strfry-bin en ligne de commande, CONSTELLATION_STRFRY_BIN dans l’environnement, ou « strfryBin » dans ${world.dataDir}/settings.json.`,
  );
  await page.locator('[data-test="setting-language"]').selectOption('en');
  await expect(page.locator('main h1')).toHaveText('Settings');
});
