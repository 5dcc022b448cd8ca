import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';

// The import boundaries of DESIGN.md are enforced by lint: these cases must be refused.
const eslint = new ESLint({ cwd: process.cwd() });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('import boundaries', () => {
  it('refuses electron in src/core', async () => {
    expect(await ruleIds("import { app } from 'electron';\nexport const x = app;\n", 'src/core/boundary-probe.ts')).toContain(
      'no-restricted-imports',
    );
  });

  it('refuses electron in src/shared and src/cli', async () => {
    for (const f of ['src/shared/boundary-probe.ts', 'src/cli/boundary-probe.ts']) {
      expect(await ruleIds("import { app } from 'electron';\nexport const x = app;\n", f)).toContain('no-restricted-imports');
    }
  });

  it('refuses the devkit and the demo in src/core (the product never imports the test kit)', async () => {
    const cases: Array<[string, string]> = [
      ["import { TestRelay } from '../devkit';\nexport const x = TestRelay;\n", 'src/core/boundary-probe.ts'],
      ["import { TestRelay } from '../../devkit/relay';\nexport const x = TestRelay;\n", 'src/core/sync/boundary-probe.ts'],
      ["import { startDemo } from '../demo';\nexport const x = startDemo;\n", 'src/core/boundary-probe.ts'],
      ["import { demoLaunch } from '../../demo/launch';\nexport const x = demoLaunch;\n", 'src/core/station/boundary-probe.ts'],
    ];
    for (const [code, file] of cases) expect(await ruleIds(code, file), `${file}: ${code}`).toContain('no-restricted-imports');
    // The electron rule still holds there, and core may import its own parts and the contract.
    expect(await ruleIds("import { app } from 'electron';\nexport const x = app;\n", 'src/core/boundary-probe.ts')).toContain('no-restricted-imports');
    expect(await ruleIds("import { Settings } from '../shared/schemas';\nexport const x = Settings;\n", 'src/core/boundary-probe.ts')).not.toContain(
      'no-restricted-imports',
    );
  });

  it('lets the hosts and the tests import the demo', async () => {
    for (const f of ['src/cli/boundary-probe.ts', 'src/main/boundary-probe.ts']) {
      expect(await ruleIds("import { demoLaunch } from '../demo/launch';\nexport const x = demoLaunch;\n", f)).not.toContain('no-restricted-imports');
    }
  });

  it('refuses Node builtins and core imports in the renderer', async () => {
    const f = 'src/renderer/src/boundary-probe.ts';
    expect(await ruleIds("import { readFile } from 'node:fs';\nexport const x = readFile;\n", f)).toContain('no-restricted-imports');
    expect(await ruleIds("import { Engine } from '../../core/engine';\nexport const x = Engine;\n", f)).toContain(
      'no-restricted-imports',
    );
  });

  it('lets the renderer import the contract', async () => {
    const f = 'src/renderer/src/boundary-probe.ts';
    expect(await ruleIds("import { CALL_NAMES } from '../../shared/api';\nexport const x = CALL_NAMES;\n", f)).not.toContain(
      'no-restricted-imports',
    );
  });

  it('lets src/main import electron', async () => {
    expect(await ruleIds("import { app } from 'electron';\nexport const x = app;\n", 'src/main/boundary-probe.ts')).not.toContain(
      'no-restricted-imports',
    );
  });
});
