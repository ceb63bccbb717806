import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compiledChartsSource } from '../../../scripts/charts/compiled-source.js';

describe('the report charts shipped as vega specs', () => {
  it('are exactly what the vega-lite specs compile to (run `npm run charts:compile` after changing them)', () => {
    const shipped = readFileSync(resolve(import.meta.dirname, '../../../lambdas/shared/presenters/charts/compiled-specs.ts'), 'utf8');
    expect(shipped).toBe(compiledChartsSource());
  });
});
