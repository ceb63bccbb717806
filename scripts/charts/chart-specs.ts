// The campaign report's charts as vega-lite specs (the authoring form). `npm run charts:compile`
// compiles them to vega specs in lambdas/shared/presenters/charts/compiled-specs.ts, which is what
// ships: Lambda bundles carry vega (the renderer) but not the vega-lite compiler (~270 kB).
// Data comes at render time in the dataset `table`; test/unit/presenters/chart-specs.test.ts fails
// when the compiled file is not what these specs compile to.
import type { TopLevelSpec } from 'vega-lite';

/** The same colour for an outcome in both charts. */
export const OUTCOME_COLOURS = { APPROVE: '#2e7d32', REJECT: '#c62828', MODIFY: '#ef8f00' } as const;
const OUTCOMES = Object.keys(OUTCOME_COLOURS) as (keyof typeof OUTCOME_COLOURS)[];

const outcomeColour = {
  field: 'outcome',
  type: 'nominal',
  title: 'outcome',
  scale: { domain: OUTCOMES, range: OUTCOMES.map((o) => OUTCOME_COLOURS[o]) },
} as const;

const common = { background: 'white', config: { font: 'sans-serif', legend: { orient: 'bottom' } } } as const;

/** Rows { date, outcome, count, rank }; the width is set per report (one bar per day). */
export const decisionsOverTime: TopLevelSpec = {
  ...common,
  description: 'Decisions per UTC day, by outcome',
  width: 240,
  height: 220,
  data: { name: 'table' },
  mark: { type: 'bar' },
  encoding: {
    x: { field: 'date', type: 'ordinal', title: 'UTC day', sort: null, axis: { labelAngle: -45, labelOverlap: true } },
    y: { field: 'count', type: 'quantitative', title: 'decisions', stack: 'zero', axis: { tickMinStep: 1 } },
    color: outcomeColour,
    order: { field: 'outcome', sort: 'descending' },
  },
};

/** Rows { approver, outcome, count, rank }: approvers drawn in rank order (most decisions first). */
export const decisionsPerApprover: TopLevelSpec = {
  ...common,
  description: 'Decisions per approver, by outcome',
  width: 480,
  height: { step: 22 },
  data: { name: 'table' },
  mark: { type: 'bar' },
  encoding: {
    y: { field: 'approver', type: 'nominal', title: null, sort: { field: 'rank', op: 'min', order: 'ascending' } },
    x: { field: 'count', type: 'quantitative', title: 'decisions', stack: 'zero', axis: { tickMinStep: 1 } },
    color: outcomeColour,
    order: { field: 'outcome', sort: 'descending' },
  },
};

export const CHART_SPECS = { decisionsOverTime, decisionsPerApprover } as const;
