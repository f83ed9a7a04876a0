import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
  {
    files: ['src/**/*.ts'],
    ignores: ['src/sessions/baileys/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'baileys', message: 'Only src/sessions/baileys/ may import baileys.' }] }],
    },
  },
  {
    files: ['src/**/*.ts', 'sim/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read configuration in src/config (or sim/config) only.' }],
    },
  },
  { files: ['src/config/**/*.ts', 'src/main.ts', 'sim/config.ts', 'sim/main.ts', 'src/cli.ts'], rules: { 'no-restricted-syntax': 'off' } },
  // web/ (the dashboard) runs in the browser.
  {
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: {
      globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', sessionStorage: 'readonly', localStorage: 'readonly', EventSource: 'readonly', HTMLElement: 'readonly', HTMLDialogElement: 'readonly', Element: 'readonly', Blob: 'readonly', MessageEvent: 'readonly' },
    },
  },
);
