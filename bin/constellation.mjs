#!/usr/bin/env node
// The `constellation` command.
//
// It runs the built CLI (out/main/cli.js, made by `npm install` / `npm run build`) when that build is at least as
// new as every source file it is made of: no TypeScript compiler in the process, so it starts faster and a long
// sync holds less memory. Otherwise (sources edited since the last build, or no build) it runs the TypeScript
// sources through tsx, so it always runs the code as it is on disk. CONSTELLATION_FROM_SOURCES=1 forces the sources;
// CONSTELLATION_FROM_BUILD=1 forces the build (the browser tests run it, right after `npm run build`).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'out', 'main', 'cli.js');
/** The folders the CLI bundle is made of (the renderer is served from out/renderer, built apart). */
const SOURCES = ['src/cli', 'src/core', 'src/shared', 'src/demo', 'src/devkit'];

/** Newest modification time of the files below `dir` (0 when it does not exist). */
function newest(dir) {
  let latest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) latest = Math.max(latest, newest(p));
    else if (e.isFile()) latest = Math.max(latest, statSync(p).mtimeMs);
  }
  return latest;
}

function builtIsCurrent() {
  if (process.env.CONSTELLATION_FROM_BUILD === '1') {
    if (existsSync(built)) return true;
    console.error(`constellation: CONSTELLATION_FROM_BUILD=1 but ${built} does not exist: run \`npm run build\` first`);
    process.exit(2);
  }
  if (process.env.CONSTELLATION_FROM_SOURCES === '1' || !existsSync(built)) return false;
  const buildTime = statSync(built).mtimeMs;
  return SOURCES.every((d) => newest(join(root, d)) <= buildTime);
}

let main;
if (builtIsCurrent()) {
  ({ main } = await import(pathToFileURL(built).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/index.ts'));
}
process.exitCode = await main(process.argv);
