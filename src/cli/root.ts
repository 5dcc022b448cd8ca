/**
 * The folder of the Constellation package (where package.json and out/ are), found from this module's own place:
 * the CLI runs either from its TypeScript sources (src/cli/…) or from the build (out/main/cli.js or one of its
 * chunks), so paths relative to the module would differ between the two.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reason, ReasonError } from '../shared/i18n';

const found = new Map<string, string>();

export function appRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  const known = found.get(from);
  if (known) return known;
  let dir = from;
  for (let i = 0; i < 8; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const name = (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name;
        if (name === 'constellation') {
          found.set(from, dir);
          return dir;
        }
      } catch {
        // Not ours (or unreadable): keep climbing.
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new ReasonError(reason('cli.noPackageRoot', { from }));
}
