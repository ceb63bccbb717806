import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkHookAnswer,
  checkHookRequest,
  HOOK_CONTRACTS,
  HOOK_NAMES,
  hookCampaignOf,
  MAX_HOOK_SUBJECTS,
  parseHookRef,
  type FindApproversRequest,
  type FindSubjectsRequest,
  type HookName,
  type HookRequest,
  type LimitResourcesRequest,
} from '../../../lambdas/shared/domain/hook-contracts.js';
import type { Campaign } from '../../../lambdas/shared/domain/model.js';
import { HOOK_SCHEMA_DIR, renderHookSchemas } from '../../../scripts/hook-schemas.js';

const campaign = {
  id: 'c-fin',
  name: 'FinanceAdmin holders',
  kind: 'PRIVILEGE' as const,
  ownerId: 'admin',
  startDate: '2026-07-01T00:00:00.000Z',
  dueDate: '2026-07-15T00:00:00.000Z',
};
const now = '2026-07-01T01:00:00.000Z';

const findSubjects: FindSubjectsRequest = { version: 1, hook: 'findSubjects', campaign, now };
const assignments = [
  { userId: 'u1', privilegeId: 'p-fin' },
  { userId: 'u2', privilegeId: 'p-fin', endDate: '2027-01-01T00:00:00.000Z', parameters: { entity: 'FR01' } },
  { userId: 'u6', privilegeId: 'p-fin' },
];
const subject = { kind: 'PRIVILEGE' as const, id: 'p-fin', name: 'FinanceAdmin' };
const limitResources: LimitResourcesRequest = { version: 1, hook: 'limitResources', campaign, now, subject, assignments };
const findApprovers: FindApproversRequest = {
  version: 1,
  hook: 'findApprovers',
  campaign,
  now,
  subject: { ...subject, ownerIds: ['m1'] },
  assignments,
  defaultApproverIds: ['m1'],
};
const requests: { [H in HookName]: HookRequest<H> } = { findSubjects, limitResources, findApprovers };

/** The `field: message` pairs of a refused answer. */
function refusal<H extends HookName>(hook: H, answer: unknown) {
  const result = checkHookAnswer(hook, requests[hook], answer);
  if (result.success) throw new Error(`expected ${hook} to refuse ${JSON.stringify(answer)}`);
  return result.error.issues.map((issue) => `${issue.field}: ${issue.message}`);
}

describe('hook contracts', () => {
  it('define a request and an answer for each of the three hooks', () => {
    expect(HOOK_NAMES).toEqual(['findSubjects', 'limitResources', 'findApprovers']);
    expect(Object.keys(HOOK_CONTRACTS).sort()).toEqual([...HOOK_NAMES].sort());
    for (const hook of HOOK_NAMES) expect(checkHookRequest(hook, requests[hook]).success).toBe(true);
  });

  it('refuse an answer of another contract version, and one that is not an object', () => {
    expect(refusal('findSubjects', { version: 2, subjectIds: [] })).toEqual([
      'version: must be 1, the contract version of the request',
    ]);
    expect(refusal('findApprovers', { stages: [] })).toEqual(['version: must be 1, the contract version of the request']);
    expect(refusal('findApprovers', 'OK')[0]).toMatch(/^\(root\): .*expected object, received string/);
    expect(refusal('limitResources', null)[0]).toMatch(/^\(root\): .*expected object, received null/);
  });

  it('refuse unknown answer fields, naming them', () => {
    expect(refusal('findSubjects', { version: 1, subjectIds: [], subjects: ['u1'] })).toEqual(['subjects: unknown field']);
    expect(refusal('findApprovers', { version: 1, stages: [{ approverIds: ['m1'], approvers: ['m2'] }] })).toEqual([
      'stages.0.approvers: unknown field',
    ]);
    expect(refusal('limitResources', { version: 1, keep: [{ userId: 'u1', privilegeId: 'p-fin', why: 'x' }] })).toEqual([
      'keep.0.why: unknown field',
    ]);
  });
});

describe('findSubjects answer', () => {
  it('accepts unique subject ids, or none', () => {
    expect(checkHookAnswer('findSubjects', findSubjects, { version: 1, subjectIds: ['p-fin', 'p-git'] })).toEqual({
      success: true,
      data: { version: 1, subjectIds: ['p-fin', 'p-git'] },
    });
    expect(checkHookAnswer('findSubjects', findSubjects, { version: 1, subjectIds: [] }).success).toBe(true);
  });

  it('refuses empty, repeated and non-text ids, naming each by index', () => {
    expect(refusal('findSubjects', { version: 1, subjectIds: ['u1', '', 7] })).toEqual([
      'subjectIds.1: must not be empty',
      'subjectIds.2: Invalid input: expected string, received number',
    ]);
    expect(refusal('findSubjects', { version: 1, subjectIds: ['u1', 'u2', 'u1'] })).toEqual([
      'subjectIds.2: duplicate subject id u1',
    ]);
  });

  it(`refuses more than ${MAX_HOOK_SUBJECTS} subjects`, () => {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `u${i}`);
    expect(checkHookAnswer('findSubjects', findSubjects, { version: 1, subjectIds: ids(MAX_HOOK_SUBJECTS) }).success).toBe(true);
    expect(refusal('findSubjects', { version: 1, subjectIds: ids(MAX_HOOK_SUBJECTS + 1) })).toEqual([
      `subjectIds: must hold at most ${MAX_HOOK_SUBJECTS} ids`,
    ]);
  });
});

describe('limitResources answer', () => {
  it("accepts a subset of the request's assignments, or nothing", () => {
    const keep = [{ userId: 'u6', privilegeId: 'p-fin' }, { userId: 'u1', privilegeId: 'p-fin' }];
    expect(checkHookAnswer('limitResources', limitResources, { version: 1, keep })).toEqual({ success: true, data: { version: 1, keep } });
    expect(checkHookAnswer('limitResources', limitResources, { version: 1, keep: [] }).success).toBe(true);
  });

  it('refuses an assignment the request did not hold, naming it by index', () => {
    expect(
      refusal('limitResources', {
        version: 1,
        keep: [{ userId: 'u1', privilegeId: 'p-fin' }, { userId: 'u4', privilegeId: 'p-fin' }, { userId: 'u1', privilegeId: 'p-git' }],
      }),
    ).toEqual([
      "keep.1: u4/p-fin is not one of the request's assignments",
      "keep.2: u1/p-git is not one of the request's assignments",
    ]);
  });

  it('refuses the same assignment twice and an incomplete one', () => {
    expect(refusal('limitResources', { version: 1, keep: [{ userId: 'u2', privilegeId: 'p-fin' }, { userId: 'u2', privilegeId: 'p-fin' }] })).toEqual([
      'keep.1: duplicate u2/p-fin',
    ]);
    expect(refusal('limitResources', { version: 1, keep: [{ userId: 'u2' }] })).toEqual([
      'keep.0.privilegeId: Invalid input: expected string, received undefined',
    ]);
  });
});

describe('findApprovers answer', () => {
  it('accepts up to five stages with names and periods, and zero stages (no approver)', () => {
    const stages = [
      { approverIds: ['m1'], name: 'Owner review', periodDays: 7 },
      { approverIds: ['security-officer', 'ciso'] },
      { approverIds: ['admin'], periodDays: 3 },
      { approverIds: ['a4'] },
      { approverIds: ['a5'] },
    ];
    expect(checkHookAnswer('findApprovers', findApprovers, { version: 1, stages })).toEqual({ success: true, data: { version: 1, stages } });
    expect(checkHookAnswer('findApprovers', findApprovers, { version: 1, stages: [] }).success).toBe(true);
  });

  it('refuses a stage without approvers, a repeated approver and a bad period, naming the field', () => {
    expect(
      refusal('findApprovers', {
        version: 1,
        stages: [{ approverIds: [] }, { approverIds: ['m1', 'm1'] }, { approverIds: ['admin'], periodDays: 2.5 }, { approverIds: ['a'], periodDays: 0 }],
      }),
    ).toEqual([
      'stages.0.approverIds: must not be empty',
      'stages.1.approverIds.1: duplicate approver id m1',
      'stages.2.periodDays: must be a whole number',
      'stages.3.periodDays: must be positive',
    ]);
  });

  it('refuses a sixth stage and an empty stage name', () => {
    const six = Array.from({ length: 6 }, (_, i) => ({ approverIds: [`a${i}`] }));
    expect(refusal('findApprovers', { version: 1, stages: six })).toEqual(['stages: must hold at most 5 stages']);
    expect(refusal('findApprovers', { version: 1, stages: [{ approverIds: ['m1'], name: '' }] })).toEqual([
      'stages.0.name: must not be empty',
    ]);
  });
});

describe('hook requests', () => {
  it('keep only the contract fields of what the caller passes', () => {
    const stored = { ...campaign, state: 'PREPARING', templates: {}, logs: [], version: 3 } as unknown as Campaign;
    const result = checkHookRequest('findSubjects', { ...findSubjects, campaign: stored, internal: true });
    expect(result).toEqual({ success: true, data: findSubjects });
  });

  it('refuse a request that breaks the contract, naming the field', () => {
    const result = checkHookRequest('findApprovers', { ...findApprovers, now: '2026-07-01', defaultApproverIds: undefined });
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.issues.map((issue) => issue.field)).toEqual(['now', 'defaultApproverIds']);
  });

  it("describe the campaign from the stored campaign's fields", () => {
    const stored = { ...campaign, description: 'x', state: 'PREPARING', version: 2 } as unknown as Campaign;
    expect(hookCampaignOf(stored)).toEqual(campaign);
    expect(() => hookCampaignOf({ ...stored, dueDate: undefined })).toThrow(/no due date/);
  });
});

describe('hook references', () => {
  it.each([
    'arn:aws:lambda:eu-west-1:123456789012:function:find-approvers',
    'arn:aws:lambda:eu-west-1:123456789012:function:find_approvers:prod',
    'arn:aws:lambda:eu-west-1:123456789012:function:findApprovers:7',
    'arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST',
    'arn:aws-cn:lambda:cn-north-1:123456789012:function:f',
    'arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f',
  ])('reads %s as a Lambda function', (ref) => {
    expect(parseHookRef(ref)).toEqual({ type: 'lambda', arn: ref });
  });

  it.each([
    ['file:./hooks/find-approvers.mjs', './hooks/find-approvers.mjs'],
    ['file:/opt/idgov/hooks/a.mjs', '/opt/idgov/hooks/a.mjs'],
  ])('reads %s as a local module', (ref, path) => {
    expect(parseHookRef(ref)).toEqual({ type: 'file', path });
  });

  it.each([
    'find-approvers',
    'file:',
    'arn:aws:lambda:eu-west-1:123456789012:find-approvers',
    'arn:aws:lambda:eu-west-1:1234:function:f',
    'arn:aws:lambda:eu-west-1:123456789012:layer:l:1',
    'arn:aws:lambda:eu-west-1:123456789012:function:f:prod:extra',
    'arn:aws:iam::123456789012:role/f',
    'https://hooks.example.com/find-approvers',
  ])('refuses %s', (ref) => {
    expect(parseHookRef(ref)).toBeUndefined();
  });
});

describe('docs/hooks/README.md', () => {
  const readme = readFileSync(join(HOOK_SCHEMA_DIR, 'README.md'), 'utf8');
  const examples = [...readme.matchAll(/<!-- example: (\w+)\.(request|answer) -->\s*```json\n([\s\S]*?)```/g)].map(
    ([, hook, kind, text]) => ({ hook: hook as HookName, kind, value: JSON.parse(text!) as unknown }),
  );

  it('shows an example request and answer for every hook', () => {
    expect(examples.map(({ hook, kind }) => `${hook}.${kind}`).sort()).toEqual(
      HOOK_NAMES.flatMap((hook) => [`${hook}.answer`, `${hook}.request`]).sort(),
    );
  });

  it.each(HOOK_NAMES)('has %s examples that keep the contract, the answer to its request', (hook) => {
    const request = examples.find((example) => example.hook === hook && example.kind === 'request')!.value;
    const answer = examples.find((example) => example.hook === hook && example.kind === 'answer')!.value;
    const checkedRequest = checkHookRequest(hook, request);
    expect(checkedRequest).toEqual({ success: true, data: request });
    if (!checkedRequest.success) return;
    expect(checkHookAnswer(hook, checkedRequest.data, answer)).toEqual({ success: true, data: answer });
  });
});

describe('docs/hooks JSON Schemas', () => {
  it('are exactly what `npm run hooks:schemas` generates from the contracts', () => {
    const generated = renderHookSchemas();
    const committed = readdirSync(HOOK_SCHEMA_DIR).filter((name) => name.endsWith('.schema.json')).sort();
    expect(committed).toEqual([...generated.keys()].sort());
    for (const [name, text] of generated) expect(readFileSync(join(HOOK_SCHEMA_DIR, name), 'utf8'), name).toBe(text);
  });

  it('forbid unknown answer fields but let requests grow within a version', () => {
    const schema = (name: string) => JSON.parse(renderHookSchemas().get(name)!) as Record<string, unknown>;
    for (const hook of HOOK_NAMES) {
      expect(schema(`${hook}.answer.schema.json`).additionalProperties).toBe(false);
      expect(schema(`${hook}.request.schema.json`).additionalProperties).toBeUndefined();
      expect(schema(`${hook}.request.schema.json`).properties).toMatchObject({ version: { const: 1 }, hook: { const: hook } });
    }
  });
});
