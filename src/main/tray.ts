/**
 * The tray icon and its menu, rebuilt from tray-model's view on every change (Linux needs setContextMenu again
 * for a changed menu to show). Electron's classes come in by injection so tests can pass fakes.
 */
import { join } from 'node:path';
import type { Menu as MenuType, MenuItemConstructorOptions, NativeImage, Tray as TrayType } from 'electron';
import { trayView } from './tray-model';
import type { TrayFacts, TrayIconState, TrayItemId, TrayView } from './tray-model';

export interface TrayElectron {
  Tray: new (image: NativeImage) => TrayType;
  Menu: { buildFromTemplate(template: MenuItemConstructorOptions[]): MenuType };
  nativeImage: { createFromPath(path: string): NativeImage };
}

export function trayIconPath(dir: string, state: TrayIconState): string {
  return join(dir, `tray-${state}.png`);
}

export class TrayController {
  private readonly tray: TrayType;
  private current: TrayView;
  private shownIcon: TrayIconState | null = null;

  constructor(
    private readonly electron: TrayElectron,
    private readonly iconDir: string,
    private facts: TrayFacts,
    private readonly onAction: (id: TrayItemId) => void,
  ) {
    this.current = trayView(facts);
    this.tray = new electron.Tray(electron.nativeImage.createFromPath(trayIconPath(iconDir, this.current.icon)));
    this.shownIcon = this.current.icon;
    // A left click opens the window where the platform reports it (not on every Linux tray).
    this.tray.on('click', () => this.onAction('open'));
    this.render();
  }

  update(patch: Partial<TrayFacts>): TrayView {
    this.facts = { ...this.facts, ...patch };
    this.current = trayView(this.facts);
    this.render();
    return this.current;
  }

  view(): TrayView {
    return this.current;
  }

  /** What a click on a menu item does (the test hooks call this too). */
  click(id: TrayItemId): boolean {
    const item = this.current.items.find((i) => i.id === id);
    if (!item || !item.enabled) return false;
    this.onAction(id);
    return true;
  }

  destroy(): void {
    this.tray.destroy();
  }

  private render(): void {
    const v = this.current;
    if (v.icon !== this.shownIcon) {
      this.tray.setImage(this.electron.nativeImage.createFromPath(trayIconPath(this.iconDir, v.icon)));
      this.shownIcon = v.icon;
    }
    this.tray.setToolTip(v.tooltip);
    const template: MenuItemConstructorOptions[] = v.items.map((item) =>
      item.id === 'separator'
        ? { type: 'separator' }
        : { id: item.id, label: item.label, enabled: item.enabled, click: () => this.click(item.id as TrayItemId) },
    );
    this.tray.setContextMenu(this.electron.Menu.buildFromTemplate(template));
  }
}
