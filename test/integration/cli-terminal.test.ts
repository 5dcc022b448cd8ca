/**
 * `constellation sync --demo` in an 80-column pseudo-terminal (issue 17, item 7): nothing the command draws is
 * wrapped or cut by the terminal, the bars are labelled by the stations' host names, counts are whole, a
 * spinner with a word shows while the demo starts, and the summary never wraps in the middle of a number.
 * The terminal is util-linux's `script` (a real pty); what it records is replayed on a small emulator.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_PEERS } from '../../src/demo';
import { REPO_ROOT, runCleanup, tmpDir } from '../support';
import { Screen } from '../support/vt';

afterAll(runCleanup);

const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;
if (!hasScript) console.log('cli-terminal: util-linux `script` is not installed: no pseudo-terminal to run the command in');

/** Runs the command in a pty `cols` wide; returns its exit code and everything it drew (stdout and stderr). */
async function inTerminal(args: string[], cols: number, env: Record<string, string>): Promise<{ code: number | null; raw: string }> {
  const dir = await tmpDir('cli-terminal-');
  const log = join(dir, 'typescript');
  const node = join(REPO_ROOT, 'node_modules', '.bin', 'node');
  const quoted = [node, join(REPO_ROOT, 'bin', 'constellation.mjs'), ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn('script', ['-qfec', `stty cols ${cols} rows 40; exec ${quoted}`, log], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 280_000);
    child.on('error', fail);
    child.on('exit', (c) => {
      clearTimeout(timer);
      done(c);
    });
  });
  // script's own first and last lines ("Script started…") are not the command's.
  const raw = (await readFile(log, 'utf8')).split('\n').filter((l) => !/^Script (started|done)/.test(l)).join('\n');
  return { code, raw };
}

describe.skipIf(!hasScript)('sync --demo in an 80-column terminal', () => {
  it('draws nothing the terminal wraps or cuts; bars by host name, whole counts, a spinner with a word', async () => {
    const dataDir = await tmpDir('cli-terminal-data-');
    const { code, raw } = await inTerminal(['--data-dir', dataDir, 'sync', '--demo'], 80, { LANG: 'C.UTF-8', LC_ALL: '', CONSTELLATION_DEMO: '' });
    expect(code, raw.slice(-2000)).toBe(0);
    const screen = new Screen(80, false);
    screen.feed(raw);
    expect(screen.wrapped, 'lines the terminal had to wrap').toEqual([]);

    const frames = screen.history;
    // A spinner and a word while the demo starts (it is generated at its first start: seconds of work).
    expect(frames.some((l) => /^[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] starting the demo constellation/.test(l))).toBe(true);
    // Bars named by the stations' host names, never by a PeerID, their counts whole at the end of the line.
    const bars = frames.filter((l) => /\[[█░]+\]/.test(l));
    expect(bars.length).toBeGreaterThan(4);
    for (const host of DEMO_PEERS.map((p) => p.hostname)) expect(bars.some((l) => l.startsWith(` ${host} `))).toBe(true);
    for (const l of bars) {
      expect(l).not.toMatch(/12D3KooW/);
      expect(l, l).toMatch(/ [\d,]+ in · [\d,]+ new$/);
    }
    // The summary: every line fits, every figure whole (a folded line breaks between words only).
    const start = frames.findIndex((l) => /^run \S+: success in [\d.]+ s$/.test(l));
    expect(start).toBeGreaterThanOrEqual(0);
    const summary = screen.text().slice(screen.text().findIndex((l) => /^run \S+: success/.test(l)));
    for (const host of DEMO_PEERS.map((p) => p.hostname)) expect(summary.join('\n'), summary.join('\n')).toMatch(new RegExp(`^  ${host.replace(/\./g, '\\.')} .* ok  [\\d,]+ fetched, [\\d,]+ imported, [\\d.]+\\u00a0[kM]?B`, 'm'));
    expect(summary.join('\n')).toMatch(/^imported [\d,]+, duplicates [\d,]+, rejected \d+, superseded or deleted \d+$/m);
    expect(summary.join('\n')).toMatch(/^transferred [\d.]+\u00a0[kM]?B in, [\d.]+\u00a0[kM]?B out$/m);
    expect(summary.join('\n')).toMatch(/^profiles: found \d+, missing \d+, recovered \d+$/m);
  }, 300_000);
});
