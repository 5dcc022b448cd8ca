// `constellation serve --open` never puts the token on a command line (issue 15, attack 10): xdg-open gets the
// path of a private page that sends the browser on to the URL with the token. A stand-in xdg-open (first on
// PATH) records what it was given, as every local user could in /proc/<pid>/cmdline.
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCleanup, spawnCli, tmpDir, waitFor } from '../support';
import { openPageHtml } from '../../src/cli/commands/serve';

afterAll(() => runCleanup());

describe('serve --open', () => {
  it('hands xdg-open a private page, never the token; the page goes on to the URL and is removed when the host stops', async () => {
    const base = await tmpDir('serve-open-');
    const bin = join(base, 'bin');
    const record = join(base, 'xdg-open.json');
    await mkdir(bin);
    // what a browser would get: the arguments (as /proc shows them), and the page it opens
    await writeFile(
      join(bin, 'xdg-open'),
      `#!/usr/bin/env node\nconst fs = require('fs');\nconst page = process.argv[2];\nfs.writeFileSync(${JSON.stringify(record)}, JSON.stringify({ argv: process.argv.slice(2), cmdline: fs.readFileSync('/proc/self/cmdline', 'utf8'), page: fs.readFileSync(page, 'utf8'), mode: fs.statSync(page).mode & 0o777 }));\n`,
    );
    await chmod(join(bin, 'xdg-open'), 0o755);
    const dataDir = join(base, 'data');
    const serve = spawnCli(
      ['serve', '--port', '0', '--open', '--zen-root', join(base, 'zen'), '--data-dir', dataDir, '--relay-url', 'ws://127.0.0.1:9', '--kubo-api', 'http://127.0.0.1:9'],
      { PATH: `${bin}:${process.env.PATH ?? ''}`, CONSTELLATION_FROM_SOURCES: '1' },
      { timeoutMs: 90_000 },
    );
    let out = '';
    serve.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const url = (await waitFor(() => /Constellation is served at (\S+)/.exec(out)?.[1], 'the ready line', 60_000))!;
      const token = new URL(url).searchParams.get('token')!;
      expect(token).toMatch(/^[0-9a-f]{64}$/);
      type Seen = { argv: string[]; cmdline: string; page: string; mode: number };
      const seen = (await waitFor(async () => (existsSync(record) ? (JSON.parse(await readFile(record, 'utf8')) as Seen) : null), 'xdg-open to run', 30_000))!;
      expect(seen.argv).toHaveLength(1);
      expect(seen.cmdline).not.toContain(token);
      expect(seen.argv[0]).toMatch(new RegExp(`^${dataDir}/run/open-[0-9a-f]{16}\\.html$`));
      expect(seen.mode).toBe(0o600);
      expect((await stat(join(dataDir, 'run'))).mode & 0o777).toBe(0o700);
      expect(seen.page).toBe(openPageHtml(url));
      expect(seen.page).toContain(`<meta http-equiv="refresh" content="0;url=${url}">`);
      serve.child.kill('SIGTERM');
      const end = await serve.done;
      expect(end.code).toBe(0);
      expect(existsSync(seen.argv[0]!)).toBe(false);
    } finally {
      if (serve.child.exitCode === null) serve.child.kill('SIGKILL');
    }

  }, 120_000);
});
