// A station's strfry on this machine: the strfry CLI stand-in (strfry-standin.mjs) and a devkit relay on the same
// database file, like strfry's relay and CLI sharing one LMDB. `startStrfryStation(dir)` lays out
//   <dir>/strfry.conf          db = "./strfry-db/" (relative to <dir>, the CLI's working directory)
//   <dir>/strfry-db/strfry-standin.sqlite
// and starts the relay on that file; point the engine's strfryBin/strfryConf at `strfryBin`/`strfryConf` and its
// relayUrl at `relayUrl`: what `strfry import` stores, the relay serves over WebSocket at once.
import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestRelay, type TestRelayOptions } from './relay';

/** The database file the stand-in keeps inside strfry's db folder (see strfry-standin.mjs). */
export const STRFRY_STANDIN_DB_FILE = 'strfry-standin.sqlite';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Absolute path of the executable stand-in, or null when it is not on disk (a bundled app without sources).
 * Looked up next to this module, then in the source tree above a bundle (out/main or out/main/chunks →
 * src/devkit).
 */
export function strfryStandinPath(): string | null {
  const candidates = [join(here, 'strfry-standin.mjs')];
  for (let dir = here, i = 0; i < 4; i++, dir = dirname(dir)) candidates.push(resolve(dir, 'src/devkit/strfry-standin.mjs'));
  for (const p of candidates) {
    if (existsSync(p)) return p;
  }
  return null;
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * A `strfry` launcher in `dir` that runs the stand-in on this process's own Node. The stand-in's
 * `#!/usr/bin/env node` finds whatever node is first on PATH (the system's may be too old, and then the stand-in
 * starts itself a second time): a scan then costs three times more. Electron's binary runs as Node with
 * ELECTRON_RUN_AS_NODE.
 */
async function writeLauncher(dir: string, standin: string): Promise<string> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < 22) return standin;
  const launcher = join(dir, 'strfry');
  await writeFile(
    launcher,
    `#!/bin/sh\n# strfry CLI stand-in launcher (Constellation devkit)\nELECTRON_RUN_AS_NODE=1 exec ${shellQuote(process.execPath)} ${shellQuote(standin)} "$@"\n`,
  );
  await chmod(launcher, 0o755);
  return launcher;
}

export interface StrfryConfOptions {
  /** `db`, relative to the conf's folder (the CLI runs there). Default `./strfry-db/`. */
  db?: string;
  /** events.maxEventSize. Default 65536 like strfry. */
  maxEventSize?: number;
}

/** A minimal strfry.conf in strfry's own syntax (only what the stand-in reads; strfry would accept it too). */
export function strfryConfText(opts: StrfryConfOptions = {}): string {
  return [
    '# strfry.conf written by the Constellation devkit (strfry CLI stand-in)',
    `db = ${JSON.stringify(opts.db ?? './strfry-db/')}`,
    '',
    'events {',
    `    maxEventSize = ${opts.maxEventSize ?? 65_536}`,
    '}',
    '',
  ].join('\n');
}

export interface StrfryStationOptions extends StrfryConfOptions {
  /** Options of the relay that serves the database (never `dbPath`: it is the stand-in's file). */
  relay?: Omit<TestRelayOptions, 'dbPath'>;
}

export interface StrfryStation {
  /** The executable to use as strfryBin. */
  strfryBin: string;
  /** `<dir>/strfry.conf`, to use as strfryConf. */
  strfryConf: string;
  /** `<dir>/strfry-db/`. */
  dbDir: string;
  /** The SQLite file shared by the CLI and the relay. */
  dbFile: string;
  /** ws://127.0.0.1:<port> of the relay on the shared database. */
  relayUrl: string;
  relay: TestRelay;
  stop(): Promise<void>;
}

/** Lays out a strfry folder in `dir` (created if needed) and starts the relay on its database. */
export async function startStrfryStation(dir: string, opts: StrfryStationOptions = {}): Promise<StrfryStation> {
  const standin = strfryStandinPath();
  if (!standin) throw new Error(`the strfry stand-in (strfry-standin.mjs) is not next to ${here}`);
  const root = resolve(dir);
  const dbRel = opts.db ?? './strfry-db/';
  const dbDir = resolve(root, dbRel);
  await mkdir(dbDir, { recursive: true });
  const strfryConf = join(root, 'strfry.conf');
  await writeFile(strfryConf, strfryConfText({ db: dbRel, maxEventSize: opts.maxEventSize }));
  const strfryBin = await writeLauncher(root, standin);
  const dbFile = join(dbDir, STRFRY_STANDIN_DB_FILE);
  // The relay creates the schema (the repository's migrations) before any CLI call can race it.
  const relay = await TestRelay.start({ name: 'strfry station (stand-in)', ...opts.relay, dbPath: dbFile });
  let stopped: Promise<void> | null = null;
  return {
    strfryBin,
    strfryConf,
    dbDir,
    dbFile,
    relayUrl: relay.url,
    relay,
    stop: () => (stopped ??= relay.stop()),
  };
}
