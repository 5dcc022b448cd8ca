import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Settings, SettingsPatch, defaultSettings, issueReason } from '../shared/schemas';
import { reason, ReasonError, type Reason } from '../shared/i18n';
import { PRIVATE_FILE, tightenFile, writeFileAtomic } from './util/fs';

/** Settings refused: the reason names each field and why (codes, so the window says them in its language). */
export class SettingsError extends ReasonError {
  override name = 'SettingsError';
}

type Issue = Parameters<typeof issueReason>[0];
const issues = (list: Issue[]): Reason[] => list.map((i) => issueReason({ ...i, path: i.path.length ? i.path : ['settings'] }));

/**
 * Settings that choose a program the app runs (the strfry binary), what it runs it with (its config) and the
 * folder everything is read from: never from settings.set (the window, or whoever holds the web host's token),
 * only from the captain on the station itself — the command line, the environment, or settings.json edited by
 * hand (issue 15, attack 8: `settings.set {strfryBin: "/tmp/evil.sh"}` then a stats call ran the program).
 */
export const CAPTAIN_ONLY = {
  zenRoot: { flag: '--zen-root', env: 'CONSTELLATION_ZEN_ROOT' },
  strfryBin: { flag: '--strfry-bin', env: 'CONSTELLATION_STRFRY_BIN' },
  strfryConf: { flag: '--strfry-conf', env: 'CONSTELLATION_STRFRY_CONF' },
} as const;
export type CaptainOnly = keyof typeof CAPTAIN_ONLY;

/**
 * Settings persisted as JSON in the data folder. Effective settings = defaults ← saved file ← launch overrides
 * (CLI flags and environment, never saved). strfry paths follow the station root unless set explicitly.
 */
export class SettingsStore {
  private saved: SettingsPatch = {};
  readonly path: string;
  /** Why the saved file was ignored, when it was. */
  loadProblem: Reason | null = null;
  /** Set when load() found the file readable by others and made it private. */
  tightened = false;

  constructor(
    dataDir: string,
    private readonly home: string,
    private readonly overrides: SettingsPatch,
  ) {
    this.path = join(dataDir, 'settings.json');
  }

  async load(): Promise<Settings> {
    this.loadProblem = null;
    // The file holds kuboAuth (kubo's credential): only its owner may read it, also when an earlier version
    // wrote it 0644.
    this.tightened = await tightenFile(this.path).catch(() => false);
    let text: string | null = null;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.loadProblem = reason('settings.fileUnreadable', { path: this.path, detail: (err as Error).message });
    }
    if (text !== null) {
      try {
        const parsed = SettingsPatch.safeParse(JSON.parse(text));
        if (parsed.success) this.saved = parsed.data;
        else this.loadProblem = reason('settings.fileIgnored', { path: this.path, issues: issues(parsed.error.issues) });
      } catch (err) {
        this.loadProblem = reason('settings.fileNotJson', { path: this.path, detail: (err as Error).message });
      }
    }
    return this.effective();
  }

  effective(): Settings {
    return this.merge(this.saved);
  }

  private merge(saved: SettingsPatch): Settings {
    const defaults = defaultSettings(this.home);
    const explicit = { ...saved, ...stripUndefined(this.overrides) };
    const merged = { ...defaults, ...explicit };
    if (explicit.strfryBin === undefined) merged.strfryBin = join(merged.zenRoot, 'strfry', 'strfry');
    if (explicit.strfryConf === undefined) merged.strfryConf = join(merged.zenRoot, 'strfry', 'strfry.conf');
    merged.notifications = { ...defaults.notifications, ...(explicit.notifications ?? {}) };
    const r = Settings.safeParse(merged);
    if (!r.success) throw new SettingsError(reason('settings.invalid', { issues: issues(r.error.issues) }));
    return r.data;
  }

  /**
   * Validates the change against the whole, then saves it atomically. Returns the new effective settings. A
   * change of a captain-only setting (CAPTAIN_ONLY) is refused; the same value sent back is ignored.
   */
  async set(patch: unknown): Promise<Settings> {
    const p = SettingsPatch.safeParse(patch);
    if (!p.success) throw new SettingsError(reason('settings.invalid', { issues: issues(p.error.issues) }));
    const change = stripUndefined(p.data);
    const current = this.effective();
    for (const key of Object.keys(CAPTAIN_ONLY) as CaptainOnly[]) {
      if (change[key] === undefined) continue;
      if (change[key] !== current[key]) throw new SettingsError(captainOnlyReason(key, this.path));
      delete change[key];
    }
    const next = { ...this.saved, ...change };
    const effective = this.merge(next);
    await writeFileAtomic(this.path, JSON.stringify(next, null, 2) + '\n', { mode: PRIVATE_FILE });
    this.saved = next;
    return effective;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Why a captain-only setting cannot be changed from the window or the web API, and where to change it. */
export function captainOnlyReason(key: CaptainOnly, settingsPath: string): Reason {
  const how = CAPTAIN_ONLY[key];
  return reason('settings.captainOnly', { key, flag: how.flag, env: how.env, path: settingsPath });
}
