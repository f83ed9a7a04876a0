import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const onlyConfigReadsEnv = { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration in src/config (or sim/config) only.' };
const onlyEngineImportsBaileys = { name: 'baileys', message: 'Only src/sessions/baileys/ may import baileys.' };
// sim/ and src/ never import each other; src/sandbox.ts, which wires the in-process sandbox, is the one exception.
// (esquery regexes cannot contain '/', hence \x2F in the dynamic-import selectors.)
const simStandalone = {
  regex: '^(\\.\\./)+(src|test|bench)/',
  message: 'sim/ is standalone: it imports nothing from src/, test/ or bench/.',
};
const srcWithoutSim = {
  regex: '^(\\.\\./)+sim/',
  message: 'src/ does not import the simulator; only src/sandbox.ts wires it in.',
};
const dynamicImport = ({ regex, message }) => ({ selector: `ImportExpression[source.value=/${regex.replaceAll('/', '\\x2F')}/]`, message });

export default tseslint.config(
  { ignores: ['node_modules/', 'web/dist/', 'data/', 'dist/', 'coverage/', '.kirim-test/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', fetch: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  // (a later block replaces a rule's options for its files, so each block lists every restriction that applies)
  { files: ['src/**/*.ts'], rules: { 'no-restricted-imports': ['error', { paths: [onlyEngineImportsBaileys], patterns: [srcWithoutSim] }] } },
  { files: ['src/sessions/baileys/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [srcWithoutSim] }] } },
  { files: ['src/sandbox.ts'], rules: { 'no-restricted-imports': ['error', { paths: [onlyEngineImportsBaileys] }] } },
  { files: ['sim/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [simStandalone] }] } },
  // no-restricted-imports does not see import(): the same boundaries for dynamic imports
  { files: ['src/**/*.ts'], rules: { 'no-restricted-syntax': ['error', onlyConfigReadsEnv, dynamicImport(srcWithoutSim)] } },
  { files: ['sim/**/*.ts'], rules: { 'no-restricted-syntax': ['error', onlyConfigReadsEnv, dynamicImport(simStandalone)] } },
  { files: ['src/config/**/*.ts', 'src/main.ts', 'src/cli.ts'], rules: { 'no-restricted-syntax': ['error', dynamicImport(srcWithoutSim)] } },
  { files: ['sim/config.ts', 'sim/main.ts'], rules: { 'no-restricted-syntax': ['error', dynamicImport(simStandalone)] } },
  { files: ['src/sandbox.ts'], rules: { 'no-restricted-syntax': ['error', onlyConfigReadsEnv] } },
  // web/ (the dashboard) runs in the browser.
  {
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: {
      globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', sessionStorage: 'readonly', localStorage: 'readonly', EventSource: 'readonly', HTMLElement: 'readonly', HTMLDialogElement: 'readonly', Element: 'readonly', Blob: 'readonly', MessageEvent: 'readonly' },
    },
  },
);
