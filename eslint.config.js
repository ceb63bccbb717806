// Lint: typescript-eslint's recommended rules (syntax only, no type information: fast), plus the
// layering of the Lambda code (STYLE.md 2-3): the domain is pure, use cases depend on ports only.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const TS_FILES = ['**/*.ts', '**/*.mts', '**/*.cts'];

const unusedVars = {
  args: 'after-used',
  argsIgnorePattern: '^_',
  varsIgnorePattern: '^_',
  caughtErrorsIgnorePattern: '^_',
  destructuredArrayIgnorePattern: '^_',
};

const noAwsSdk = { regex: '^@aws-sdk/', message: 'AWS access belongs in an adapter behind a port.' };
const noAdapters = {
  regex: '(^|/)adapters(/|$)',
  message: 'Depend on a port (lambdas/shared/use-cases/ports.ts), not on an adapter.',
};

export default defineConfig([
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', '.idgov/', '.idgov-*/'] },
  {
    files: TS_FILES,
    extends: [tseslint.configs.recommended],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', unusedVars],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: { 'no-unused-vars': ['error', unusedVars] },
  },
  {
    files: ['lambdas/shared/domain/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { ...noAwsSdk, message: 'The domain is pure: no AWS SDK.' },
            { regex: '^(aws-cdk-lib|constructs)(/|$)', message: 'The domain is pure: no CDK.' },
            noAdapters,
            { regex: '(^|/)use-cases(/|$)', message: 'The domain must not depend on use cases.' },
          ],
        },
      ],
    },
  },
  {
    files: ['lambdas/shared/use-cases/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noAwsSdk, noAdapters] }],
    },
  },
]);
