/**
 * `constellation serve`: the web host (same engine, same UI in a browser) for a station without a screen.
 * Prints exactly one line on stdout when ready — the URL with its token — and runs until SIGINT/SIGTERM.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { EXIT, UsageError, engineFrom, globalOptions } from '../context';
import { LOOPBACK } from '../loopback';
import { appRoot } from '../root';

export const DEFAULT_SERVE_PORT = 7790;

export function defaultRendererDir(): string {
  return join(appRoot(), 'out', 'renderer');
}

export function readyLine(url: string): string {
  return `Constellation is served at ${url}`;
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--port: ${value} is not a port number (0..65535; 0 picks a free one)`);
  return n;
}

/** Opens the URL in the desktop's browser; a station without one just keeps the printed URL. */
function openBrowser(url: string, warn: (m: string) => void): void {
  try {
    const child = spawn('xdg-open', [url], { detached: true, stdio: 'ignore' });
    child.on('error', (err) => warn(`--open: cannot start xdg-open (${err.message}); open the printed URL yourself`));
    child.unref();
  } catch (err) {
    warn(`--open: ${(err as Error).message}`);
  }
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

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the app in a browser on 127.0.0.1 (token-protected URL printed on start)')
    .addOption(new Option('--port <n>', `port on 127.0.0.1 (0 picks a free one)`).default(String(DEFAULT_SERVE_PORT)).env('CONSTELLATION_PORT'))
    .addOption(new Option('--host <address>', 'address to bind: 127.0.0.1 only (reach it from elsewhere with ssh -L)').default(LOOPBACK))
    .option('--schedule', 'also run the hourly sync schedule in this process')
    .option('--open', "open the URL in the desktop's browser")
    .addOption(new Option('--renderer-dir <dir>', 'the built renderer (default out/renderer)').env('CONSTELLATION_RENDERER_DIR').hideHelp())
    .action(async (opts: { port: string; host: string; schedule?: boolean; open?: boolean; rendererDir?: string }, cmd: Command) => {
      if (opts.host !== LOOPBACK) {
        throw new UsageError(`--host ${opts.host}: the web host binds ${LOOPBACK} only; reach it from another machine through an SSH tunnel (ssh -L)`);
      }
      const port = parsePort(opts.port);
      const warn = (m: string): void => void process.stderr.write(`${m}\n`);
      const [engine, { startWebHost }] = await Promise.all([engineFrom(globalOptions(cmd), 'web', { schedule: opts.schedule ?? false }), import('../webhost')]);
      await engine.start();
      let host;
      try {
        host = await startWebHost({ engine, rendererDir: opts.rendererDir ?? defaultRendererDir(), port, warn: (m) => warn(`web host: ${m}`) });
      } catch (err) {
        await engine.stop();
        const e = err as NodeJS.ErrnoException;
        if (e.code === 'EADDRINUSE') throw new Error(`port ${port} on ${LOOPBACK} is already in use: choose another with --port (0 picks a free one)`);
        throw err;
      }
      process.stdout.write(readyLine(host.url) + '\n');
      if (opts.open) openBrowser(host.url, warn);
      const sig = await untilSignal();
      warn(`${sig}: stopping the web host`);
      await host.close();
      await engine.stop();
      process.exitCode = EXIT.ok;
    });
}
