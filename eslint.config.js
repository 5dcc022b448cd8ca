// Lint rules, including the import boundaries of ../shared/DESIGN.md:
// core, shared, cli, demo and devkit never import electron; the engine (core) never imports the devkit's stand-ins
// nor the demo built from them (they sit above it); the renderer never reaches past the contract.
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import vueParser from 'vue-eslint-parser';

const nodeBuiltins = [
  'fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'os', 'path', 'worker_threads', 'crypto', 'stream',
  'url', 'util', 'events', 'dgram', 'tls', 'zlib', 'readline', 'process', 'module', 'v8', 'vm', 'cluster', 'dns',
];
const noElectron = {
  paths: [{ name: 'electron', message: 'src/core, src/shared, src/cli, src/demo and src/devkit must not import electron (DESIGN.md).' }],
  patterns: [{ group: ['electron/*'], message: 'src/core, src/shared, src/cli, src/demo and src/devkit must not import electron.' }],
};
// The product never imports the test kit: the demo is handed to the engine by its host (src/demo/launch.ts).
const engineAbove = {
  group: ['**/devkit', '**/devkit/**', '**/demo', '**/demo/**'],
  message: 'src/core must not import src/devkit nor src/demo: they sit above the engine (the host injects the demo, see src/demo/launch.ts).',
};

export default tseslint.config(
  {
    ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/results/**', '.tmp/**',
      // electron-vite bundles its config into a short-lived electron.vite.config.ts.<stamp>.mjs beside it; npm test
      // lints while it builds, and ESLint would try to read that file after it is gone (CI failed on ENOENT).
      '*.config.ts.*.mjs', '*.config.ts.timestamp-*.mjs'],
  },
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parser: vueParser, parserOptions: { parser: tseslint.parser, sourceType: 'module' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/no-v-html': 'error',
    },
  },
  {
    files: ['src/shared/**', 'src/cli/**', 'src/demo/**', 'src/devkit/**'],
    rules: { 'no-restricted-imports': ['error', noElectron] },
  },
  {
    files: ['src/core/**'],
    rules: { 'no-restricted-imports': ['error', { paths: noElectron.paths, patterns: [...noElectron.patterns, engineAbove] }] },
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...noElectron.paths, ...nodeBuiltins.flatMap((m) => [{ name: m }, { name: `node:${m}` }])],
          patterns: [...noElectron.patterns, { group: ['../core/*', '../main/*', '../cli/*', '../renderer/*'] }],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer talks only to window.constellation (the contract).' },
            ...nodeBuiltins.flatMap((m) => [
              { name: m, message: 'The renderer has no Node: use the contract.' },
              { name: `node:${m}`, message: 'The renderer has no Node: use the contract.' },
            ]),
          ],
          patterns: [
            { group: ['**/core/**', '**/main/**', '**/cli/**', '**/devkit/**', '**/demo/**', '**/preload/**'], message: 'The renderer may import only src/shared and its own files.' },
            { group: ['node:*'], message: 'The renderer has no Node.' },
          ],
        },
      ],
    },
  },
);
