// `npm run charts:compile`: writes the vega specs the report renders (see chart-specs.ts).
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compiledChartsSource } from './compiled-source.js';

const target = resolve(import.meta.dirname, '../../lambdas/shared/presenters/charts/compiled-specs.ts');
writeFileSync(target, compiledChartsSource());
console.log(`wrote ${target}`);
