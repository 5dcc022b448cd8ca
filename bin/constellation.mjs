#!/usr/bin/env node
// The `constellation` command.
//
// It runs the built CLI (out/main/cli.js, made by `npm install` / `npm run build`) when that build is at least as
// new as every source file it is made of: no TypeScript compiler in the process, so it starts faster and a long
// sync holds less memory. Otherwise (sources edited since the last build, or no build) it runs the TypeScript
// sources through tsx, so it always runs the code as it is on disk. CONSTELLATION_FROM_SOURCES=1 forces the sources;
// CONSTELLATION_FROM_BUILD=1 forces the build (the browser tests run it, right after `npm run build`).
//
// It runs on Node 22 or newer: its native module (better-sqlite3 13) crashes an older Node with a segmentation
// fault and no message. Started by an older Node (`node bin/constellation.mjs` with the system's Node 20), it runs
// itself again on the Node the project installs (node_modules/node, Node 24; CONSTELLATION_NODE names another),
// or says in one line which Node it needs. A Node new enough pays nothing for this check.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const MIN_NODE = 22;

if (Number(process.versions.node.split('.')[0]) < MIN_NODE) process.exit(await onAnotherNode());

/**
 * Runs this command again on the project's Node and returns its exit code; or, when there is none (or it is as
 * old, which a loop guard catches), says which Node is needed and returns 1.
 */
async function onAnotherNode() {
  const own = process.env.CONSTELLATION_NODE || join(root, 'node_modules', 'node', 'bin', 'node');
  if (process.env.CONSTELLATION_REEXEC === '1' || !existsSync(own)) {
    console.error(
      `constellation: needs Node.js ${MIN_NODE} or newer, this is Node ${process.versions.node}: ` +
        `run \`npm install\` in ${root} (it installs the Node 24 the command runs on) or start it with a Node ${MIN_NODE}+`,
    );
    return 1;
  }
  const child = spawn(own, [...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, CONSTELLATION_REEXEC: '1' },
  });
  // Ctrl-C reaches both processes (same process group): this one waits for the command to finish cancelling.
  // A signal sent to this process alone (kill, systemd, cron's timeout) is passed on.
  const forward = (sig) => child.kill(sig);
  process.on('SIGINT', () => undefined);
  for (const sig of ['SIGTERM', 'SIGHUP']) process.on(sig, forward);
  const [code, signal] = await new Promise((done) => child.on('exit', (c, s) => done([c, s])));
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
  }
  return code ?? 1;
}
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
