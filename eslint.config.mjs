// Lint for the whole tree: TypeScript by typescript-eslint's recommended rules,
// the scripts and editor resources as plain JavaScript; layout is Prettier's
// (eslint-config-prettier turns off the rules that would argue with it).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.demo/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // Unused parameters named _x are kept on purpose (callbacks with a fixed shape).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Node-RED node modules are CommonJS: `export =` and require() of Node-RED's own nodes in tests.
      '@typescript-eslint/no-require-imports': 'off',
      eqeqeq: ['error', 'always'],
      // Node-RED's own nodes keep `const node = this` for the callbacks of a node's life.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['node'] }],
    },
  },
  {
    // Tests read loosely typed Node-RED messages (msg.payload, msg.error, …).
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['scripts/**/*.js', 'scripts/**/*.mjs', 'eslint.config.mjs'],
    languageOptions: { globals: globals.node, sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
  {
    files: ['resources/**/*.js'],
    languageOptions: {
      globals: { ...globals.browser, RED: 'readonly', $: 'readonly', jQuery: 'readonly' },
      sourceType: 'script',
    },
  },
  prettier,
);
