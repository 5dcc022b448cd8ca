// `constellation --version` and `--help` start without loading the engine: the command's static import graph (what
// node loads before the first line runs) reaches no engine module and none of the heavy packages; those come
// with the command that needs them (dynamic import). The start time itself is measured with hyperfine (README).
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..', '..');

/** Static imports of one module: `import … from 'x'` and `export … from 'x'`, not `import type` nor `import()`. */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  const re = /^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] as string);
  return out;
}

function resolveLocal(from: string, spec: string): string | null {
  const base = resolve(dirname(from), spec);
  for (const p of [base, `${base}.ts`, join(base, 'index.ts')]) if (existsSync(p) && p.endsWith('.ts')) return p;
  return null;
}

/** Every module and package reached from `entry` through static imports. */
function reach(entry: string): { modules: Set<string>; packages: Set<string> } {
  const modules = new Set<string>();
  const packages = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const f = todo.pop() as string;
    if (modules.has(f)) continue;
    modules.add(f);
    for (const spec of staticImports(f)) {
      if (spec.startsWith('.')) {
        const r = resolveLocal(f, spec);
        if (r) todo.push(r);
      } else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string));
    }
  }
  return { modules, packages };
}

describe('the command starts light', () => {
  it('loads commander and a few small modules before parsing; the engine, ws, zod, nostr-tools only when a command needs them', () => {
    const { modules, packages } = reach(join(ROOT, 'src/cli/index.ts'));
    const rel = [...modules].map((m) => m.slice(ROOT.length + 1)).sort();
    expect([...packages].sort()).toEqual(['commander']);
    expect(rel.filter((m) => m.startsWith('src/core/'))).toEqual(['src/core/station/keys.ts']);
    expect(rel).not.toContain('src/cli/webhost.ts');
    // Besides the command's own modules: the language catalogues (the help and usage errors speak French too).
    const own = rel.filter((m) => !m.startsWith('src/shared/i18n/') && m !== 'src/shared/reasons.ts');
    expect(own.length).toBeLessThan(20);
    expect(rel.length).toBeLessThan(30);
  });
});
