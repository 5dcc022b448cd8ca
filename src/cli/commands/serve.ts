/**
 * `constellation serve`: the web host (same engine, same UI in a browser) for a station without a screen.
 * Prints exactly one line on stdout when ready — the URL with its token — and runs until SIGINT/SIGTERM.
 *
 * `--open` never puts the token on a command line (issue 15, attack 10: every local user reads the arguments of
 * every process in /proc): xdg-open is given the path of a small page, private to this user (0600 in a 0700
 * folder of the data folder), that sends the browser on to the URL with the token; the page is deleted a
 * minute later, and when the host stops. (Jupyter opens its browser the same way.)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { EXIT, UsageError, engineFrom, globalOptions, voiceFor } from '../context';
import { LOOPBACK } from '../loopback';
import { voiceOf, type Voice } from '../voice';
import { appRoot } from '../root';

export const DEFAULT_SERVE_PORT = 7790;

export function defaultRendererDir(): string {
  return join(appRoot(), 'out', 'renderer');
}

export function readyLine(url: string, v: Voice = voiceOf('en')): string {
  return v.w.serve.ready(url);
}

function parsePort(value: string, v: Voice): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(v.w.usage.port(value));
  return n;
}

/** How long the page that carries the token to the browser stays on disk. */
export const OPEN_PAGE_MS = 60_000;
const OPEN_PAGE = /^open-[0-9a-f]{16}\.html$/;

const htmlAttr = (v: string): string => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page handed to the browser: it goes on to the URL with the token at once (no script needed). */
export function openPageHtml(url: string): string {
  const u = htmlAttr(url);
  return `<!doctype html>
<html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=${u}"><title>Constellation</title></head>
<body><p><a href="${u}">Constellation</a></p></body></html>
`;
}

/**
 * Writes the page that carries the token to the browser, private to this user, in `<dataDir>/run/`; pages left
 * by an earlier run (their token is dead) are removed first. Returns its path.
 */
export async function writeOpenPage(dataDir: string, url: string): Promise<string> {
  const dir = join(dataDir, 'run');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  for (const name of await readdir(dir)) if (OPEN_PAGE.test(name)) await unlink(join(dir, name)).catch(() => undefined);
  const path = join(dir, `open-${randomBytes(8).toString('hex')}.html`);
  await writeFile(path, openPageHtml(url), { mode: 0o600, flag: 'wx' });
  return path;
}

/**
 * Opens the app in the desktop's browser through the private page; a station without a browser just keeps the
 * printed URL. Returns what removes the page (done by itself after OPEN_PAGE_MS).
 */
async function openBrowser(url: string, dataDir: string, warn: (m: string) => void, v: Voice): Promise<() => Promise<void>> {
  const opener = 'xdg-open';
  let page: string;
  try {
    page = await writeOpenPage(dataDir, url);
  } catch (err) {
    warn(v.w.serve.noPage((err as Error).message));
    return async () => undefined;
  }
  const remove = async (): Promise<void> => {
    clearTimeout(timer);
    await unlink(page).catch(() => undefined);
  };
  const timer = setTimeout(() => void remove(), OPEN_PAGE_MS);
  timer.unref();
  try {
    const child = spawn(opener, [page], { detached: true, stdio: 'ignore' });
    child.on('error', (err) => warn(v.w.serve.noBrowser(err.message)));
    child.unref();
  } catch (err) {
    warn(v.w.serve.noBrowser((err as Error).message));
  }
  return remove;
}

function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (sig: NodeJS.Signals): void => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export function registerServe(program: Command, v: Voice): void {
  program
    .command('serve')
    .description(v.w.desc.serve)
    .addOption(new Option('--port <n>', v.w.desc.port).default(String(DEFAULT_SERVE_PORT)).env('CONSTELLATION_PORT'))
    .addOption(new Option('--host <address>', v.w.desc.host).default(LOOPBACK))
    .option('--schedule', v.w.desc.schedule)
    .option('--open', v.w.desc.open)
    .addOption(new Option('--renderer-dir <dir>', v.w.desc.rendererDir).env('CONSTELLATION_RENDERER_DIR').hideHelp())
    .action(async (opts: { port: string; host: string; schedule?: boolean; open?: boolean; rendererDir?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const before = voiceFor(g);
      if (opts.host !== LOOPBACK) throw new UsageError(before.w.usage.host(opts.host, LOOPBACK));
      const port = parsePort(opts.port, before);
      const warn = (m: string): void => void process.stderr.write(`${m}\n`);
      const [engine, { startWebHost }] = await Promise.all([engineFrom(g, 'web', { schedule: opts.schedule ?? false }), import('../webhost')]);
      await engine.start();
      const voice = voiceFor(g, engine);
      let host;
      try {
        host = await startWebHost({ engine, rendererDir: opts.rendererDir ?? defaultRendererDir(), port, warn: (m) => warn(`web host: ${m}`) });
      } catch (err) {
        await engine.stop();
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EADDRINUSE') throw new Error(voice.w.serve.portInUse(port, LOOPBACK));
        throw err;
      }
      process.stdout.write(readyLine(host.url, voice) + '\n');
      const removePage = opts.open ? await openBrowser(host.url, engine.config.dataDir, warn, voice) : null;
      const sig = await untilSignal();
      warn(voice.w.serve.stopping(sig));
      await removePage?.();
      await host.close();
      await engine.stop();
      process.exitCode = EXIT.ok;
    });
}
