/**
 * `constellation serve`: the web host (same engine, same UI in a browser) for a station without a screen.
 * Prints exactly one line on stdout when ready — the URL with its token — and runs until SIGINT/SIGTERM.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Option } from 'commander';
import type { Command } from 'commander';
import { EXIT, UsageError, engineFrom, globalOptions, voiceFor } from '../context';
import { voiceOf, type Voice } from '../voice';
import { LOOPBACK, startWebHost } from '../webhost';
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

/** Opens the URL in the desktop's browser; a station without one just keeps the printed URL. */
function openBrowser(url: string, warn: (m: string) => void, v: Voice): void {
  try {
    const child = spawn('xdg-open', [url], { detached: true, stdio: 'ignore' });
    child.on('error', (err) => warn(v.w.serve.noBrowser(err.message)));
    child.unref();
  } catch (err) {
    warn(v.w.serve.noBrowser((err as Error).message));
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
      const engine = engineFrom(g, 'web', { schedule: opts.schedule ?? false });
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
      if (opts.open) openBrowser(host.url, warn, voice);
      const sig = await untilSignal();
      warn(voice.w.serve.stopping(sig));
      await host.close();
      await engine.stop();
      process.exitCode = EXIT.ok;
    });
}
