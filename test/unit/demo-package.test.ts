/**
 * The demo ships with the desktop app (electron-builder packs `out/**` and the production dependencies): every
 * package the demo's code reaches — its own files, the devkit stand-ins it is built from, the engine parts they
 * use — must be a production dependency, or the packaged app's demo fails on an import.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');

/** The module file a relative specifier names (TypeScript sources drop the extension). */
function fileOf(from: string, spec: string): string {
  const base = resolve(dirname(from), spec);
  for (const candidate of [base, `${base}.ts`, `${base}.mjs`, join(base, 'index.ts')]) {
    try {
      if (readFileSync(candidate) && /\.(ts|mjs)$/.test(candidate)) return candidate;
    } catch {
      // try the next spelling
    }
  }
  throw new Error(`${from}: cannot resolve ${spec}`);
}

/** Packages reached from `entry` through static and dynamic imports (type-only imports are erased: skipped). */
function packagesReached(entry: string): Map<string, string> {
  const seen = new Set<string>();
  const packages = new Map<string, string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    const specs = [
      ...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^'";]*?from\s+'([^']+)'/gm),
      ...text.matchAll(/^\s*import\s+'([^']+)'/gm),
      ...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g),
      ...text.matchAll(/\brequire\(\s*'([^']+)'\s*\)/g),
    ].map((m) => m[1] as string);
    for (const spec of specs) {
      if (spec.startsWith('.')) queue.push(fileOf(file, spec));
      else if (!spec.startsWith('node:') && !builtinModules.includes(spec)) {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);
        packages.set(name, file.slice(ROOT.length + 1));
      }
    }
  }
  return packages;
}

describe('the demo in the packaged app', () => {
  it('reaches only production dependencies', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const reached = packagesReached(join(ROOT, 'src/demo/index.ts'));
    // The relay implementation comes with it (the walk does follow the devkit).
    expect([...reached.keys()]).toEqual(expect.arrayContaining(['@nostr-relay/core', 'nostr-tools', 'ws']));
    const missing = [...reached].filter(([name]) => !(name in pkg.dependencies)).map(([name, file]) => `${name} (imported by ${file})`);
    expect(missing).toEqual([]);
  });

  it('the light launcher the hosts import does not load the demo itself', () => {
    const text = readFileSync(join(ROOT, 'src/demo/launch.ts'), 'utf8');
    // Statically it reaches only the decision (no devkit): the demo comes with a dynamic import at start.
    expect(text).not.toMatch(/^import[^;]*from '\.\/index'/m);
    expect(text).not.toMatch(/^import[^;]*devkit/m);
  });
});
