// Lint: typescript-eslint's recommended rules (syntax only, no type information: fast), plus the
// layering of the Lambda code (README, "Architecture"): the domain is pure, use cases depend on ports only,
// a function bundle holds production code only (nothing from src/, no dynamic import()), and shared
// code depends on no function. test/unit/lint-rules.test.ts proves each of these rules fires.
import { readdirSync } from 'node:fs';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

const TS_FILES = ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.cts'];

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
// esbuild bundles whatever a Lambda file imports: local code (the CLI, the local runtime) must be
// injected by the local runtime through the function's dependencies, never imported.
const noLocalCode = {
  regex: '(^|/)(src|scripts|test|bin)(/|$)',
  message: 'Lambda code must not import src/, scripts/, test/ or bin/ (local runtime, CLI, benchmarks, tests): esbuild would bundle it into the function. Inject it from src/ instead.',
};
// Every folder of lambdas/ but shared/ is one function's (its handler and wiring).
const FUNCTION_FOLDERS = readdirSync(new URL('./lambdas/', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'shared')
  .map((entry) => entry.name);
const noFunctionFolder = {
  regex: `(^|/)(${FUNCTION_FOLDERS.join('|')})(/|$)`,
  message: "Shared code must not depend on a function's folder: move what both need into lambdas/shared/.",
};
/** no-restricted-imports for Lambda code; a later block's options replace an earlier one's, so each block lists all. */
const lambdaImports = (...patterns) => ['error', { patterns: [noLocalCode, ...patterns] }];

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
    files: ['lambdas/**'],
    rules: {
      'no-restricted-imports': lambdaImports(),
      // A bundle is one file: a dynamic import() either bundles code no rule here checks or fails at run time.
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression',
          message: 'No dynamic import() in Lambda code: import statically, or inject the variant through the dependencies.',
        },
        {
          // esbuild then keeps zod's whole namespace object, every locale included (~370 kB a bundle).
          selector: "ImportDeclaration[source.value='zod'] > :matches(ImportDefaultSpecifier, ImportSpecifier[imported.name='z'])",
          message: "Use `import * as z from 'zod'`: the default or named `z` import pulls every zod locale into the bundle.",
        },
      ],
    },
  },
  {
    files: ['lambdas/shared/**'],
    rules: { 'no-restricted-imports': lambdaImports(noFunctionFolder) },
  },
  {
    files: ['lambdas/shared/domain/**'],
    rules: {
      'no-restricted-imports': lambdaImports(
        noFunctionFolder,
        { ...noAwsSdk, message: 'The domain is pure: no AWS SDK.' },
        { regex: '^(aws-cdk-lib|constructs)(/|$)', message: 'The domain is pure: no CDK.' },
        noAdapters,
        { regex: '(^|/)use-cases(/|$)', message: 'The domain must not depend on use cases.' },
      ),
    },
  },
  {
    // The portal runs in a browser: Preact, the OIDC client, its own files, the shared contract,
    // and the approver API's declarations (types only, erased by esbuild). Nothing of Node.
    files: ['src/portal/app/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^node:', message: 'The portal runs in a browser: no Node.js modules.' },
            {
              regex: '(^|/)(lambdas|lib|bin|scripts|test)(/|$)',
              allowTypeImports: true,
              message: 'The portal may import only types from the API (lambdas/approver-api/api-types.ts): esbuild erases them.',
            },
            { regex: '(^|/)(local|cli|aws)/', message: 'The portal must not import the CLI or the local runtime: it is served, not run.' },
          ],
        },
      ],
    },
  },
  {
    files: ['lambdas/shared/use-cases/**'],
    rules: { 'no-restricted-imports': lambdaImports(noFunctionFolder, noAwsSdk, noAdapters) },
  },
]);
