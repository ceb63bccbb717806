import Mustache from 'mustache';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';
import { NOTIFICATION_KINDS, type NotificationKind } from '../../../lambdas/shared/domain/model.js';
import {
  DEFAULT_TEMPLATES,
  KIND_OPTIONAL_PLACEHOLDERS,
  KIND_PLACEHOLDERS,
  buildTemplates,
  missingPlaceholders,
  renderNotification,
  type NotificationView,
} from '../../../lambdas/shared/domain/templates.js';

const fullView: NotificationView = {
  campaignId: 'cmp-7f3a',
  campaignName: 'Finance high-risk users',
  runLabel: 'Finance high-risk users 2026-07-01',
  kind: 'USER',
  dueDate: '2026-07-15',
  startDate: '2026-07-01',
  endDate: '2026-07-16',
  recipientName: 'Ana Álvarez',
  ownerName: 'Olga Owner',
  subjectName: 'Bob Brown',
  entryId: 'ent-42',
  itemCount: 17,
  openItemCount: 9,
  entryCount: 31,
  failedEntryCount: 2,
  failedEntries: [
    { entryId: 'ent-43', subjectName: 'Carla Cruz', error: 'changes failed to apply: p-fin: directory refused the change' },
    { entryId: 'ent-44', subjectName: 'Dan Dorn', error: 'changes failed to apply: p-pay: throttled' },
  ],
  tasksUrl: 'https://idgov.example.com/tasks?approver=u-ana',
  entryUrl: 'https://idgov.example.com/entries/ent-42',
  stage: 3,
  errors: [{ field: 'approvalPeriodDays', message: 'is required' }, { message: 'owner u-x is not in the directory' }],
  revoked: [
    { privilegeName: 'FinanceAdmin', privilegeId: 'p-fin', reason: 'the reviewer rejected it' },
    { privilegeName: 'PayrollRead', privilegeId: 'p-pay', reason: 'it was not confirmed before the review deadline' },
  ],
  revokedCount: 2,
  stillPresent: [
    { userId: 'u-bob', privilegeId: 'p-git', privilegeName: 'GitAdmin' },
    { userId: 'u-eve', privilegeId: 'p-pay', privilegeName: 'PayrollRead' },
  ],
  stillPresentCount: 7,
  verifiedCount: 40,
  stats: { approved: 11, rejected: 4, modified: 5, uncertified: 6, revoked: 8, handedOver: 3, keptByGuard: 2 },
  applyCounts: { items: 40, remove: 18, modify: 5, handOver: 3, keep: 12, keptByGuard: 2 },
  removalPercent: '45',
  maxRemovalPercent: '20',
};

/**
 * Names a template reads from the full view, with the enclosing section (for list items). An
 * inverted section the full view turns off ({{^entryUrl}}: the fallback when a value is absent) is
 * not read; the tests of each fallback render it with the value left out.
 */
function placeholders(template: string): { name: string; section?: string }[] {
  const out: { name: string; section?: string }[] = [];
  const walk = (tokens: Mustache.TemplateSpans, section?: string) => {
    for (const token of tokens) {
      const [type, name] = token;
      if (type === 'name' || type === '&') out.push({ name, section });
      if (type === '^' && (fullView as unknown as Record<string, unknown>)[name]) continue;
      if ((type === '#' || type === '^') && Array.isArray(token[4])) walk(token[4] as Mustache.TemplateSpans, name);
    }
  };
  walk(Mustache.parse(template));
  return out;
}

/** What the full view shows for a placeholder: its own value, or each item's field in a list section. */
function expectedTexts(name: string, section: string | undefined): string[] {
  const value = (fullView as unknown as Record<string, unknown>)[name];
  // Inside {{#stats}}, or a condition on one of its counts ({{#handedOver}}, {{#keptByGuard}}: the same in stats and applyCounts).
  if (section === 'stats' || section === 'handedOver' || section === 'keptByGuard') return [String(fullView.stats![name as keyof NonNullable<NotificationView['stats']>])];
  if (section === 'applyCounts' && name in fullView.applyCounts!) return [String(fullView.applyCounts![name as keyof NonNullable<NotificationView['applyCounts']>])];
  if (section === 'errors' || (section === 'field' && name === 'field')) {
    return fullView.errors!.map((e) => (e as Record<string, string | undefined>)[name]).filter((v): v is string => !!v);
  }
  if (section === 'revoked') return fullView.revoked!.map((r) => (r as unknown as Record<string, string>)[name]!);
  if (section === 'failedEntries') return fullView.failedEntries!.map((e) => (e as Record<string, string>)[name]!);
  if (section === 'stillPresent') return fullView.stillPresent!.map((e) => (e as Record<string, string>)[name]!);
  // Inside {{#stillPresentCount}}: the counts themselves.
  if (section === 'stillPresentCount' || section === 'verifiedCount') return [String(value)];
  return [String(value)];
}

describe('DEFAULT_TEMPLATES', () => {
  it('has an active template with a subject and a body for every kind', () => {
    expect(Object.keys(DEFAULT_TEMPLATES).sort()).toEqual([...NOTIFICATION_KINDS].sort());
    for (const kind of NOTIFICATION_KINDS) {
      expect(DEFAULT_TEMPLATES[kind].active).toBe(true);
      expect(DEFAULT_TEMPLATES[kind].subject).not.toMatch(/\n/);
      expect(DEFAULT_TEMPLATES[kind].body.length).toBeGreaterThan(100);
    }
  });

  it('passes its own validation', () => {
    expect(buildTemplates()).toEqual(DEFAULT_TEMPLATES);
  });

  it.each(NOTIFICATION_KINDS)('%s renders every placeholder it uses from a full view', (kind) => {
    const template = DEFAULT_TEMPLATES[kind];
    const { subject, body } = renderNotification(template, fullView);
    for (const text of [subject, body]) {
      expect(text).not.toContain('{{');
      expect(text).not.toContain('}}');
      expect(text).not.toMatch(/undefined|null|\[object Object\]/);
    }
    expect(subject).not.toMatch(/\n/);
    expect(body).toContain(`Hello ${fullView.recipientName},`);
    const used = [...placeholders(template.subject), ...placeholders(template.body)];
    expect(used.length).toBeGreaterThan(1);
    for (const { name, section } of used) {
      for (const expected of expectedTexts(name, section)) expect(`${subject}\n${body}`).toContain(expected);
    }
  });

  it('tells the approver where to act and by when: the link lands on the entry', () => {
    for (const kind of ['APPROVAL_START', 'APPROVAL_REMIND'] as const) {
      const { subject, body } = renderNotification(DEFAULT_TEMPLATES[kind], fullView);
      expect(subject).toContain(fullView.dueDate);
      expect(body).toContain(fullView.entryUrl);
      expect(body).not.toContain(fullView.tasksUrl);
      expect(body).toContain(fullView.subjectName);
    }
    // The timeout links to the closed entry, where the decisions recorded stay visible.
    expect(renderNotification(DEFAULT_TEMPLATES.APPROVAL_TIMEOUT, fullView).body).toContain(`decisions recorded: ${fullView.entryUrl}\n`);
  });

  it('links the task list instead when a notice names no entry', () => {
    const { entryUrl: _entryUrl, ...noEntry } = fullView;
    for (const kind of ['APPROVAL_START', 'APPROVAL_REMIND'] as const) {
      const { body } = renderNotification(DEFAULT_TEMPLATES[kind], noEntry);
      expect(body).toContain(fullView.tasksUrl);
      expect(body).not.toContain('/entries/');
    }
    expect(renderNotification(DEFAULT_TEMPLATES.APPROVAL_TIMEOUT, noEntry).body).not.toContain('decisions recorded');
  });

  it('reminds an approver of several reviews in one mail: how many, how many assignments open, and their task list', () => {
    const { entryUrl: _u, entryId: _i, ...noEntry } = fullView;
    const { subject, body } = renderNotification(DEFAULT_TEMPLATES.APPROVAL_REMIND, { ...noEntry, subjectName: '', entryCount: 3, itemCount: 70, openItemCount: 12 });
    expect(subject).toContain(fullView.dueDate);
    expect(body).toContain('Reviews still open: 3\n');
    expect(body).toContain('Assignments still to decide: 12 of 70\n');
    expect(body).not.toContain('Under review');
    expect(body).toContain(fullView.tasksUrl);
    // One review is named instead of counted.
    const one = renderNotification(DEFAULT_TEMPLATES.APPROVAL_REMIND, { ...fullView, entryCount: 1 }).body;
    expect(one).toContain(`Under review: ${fullView.subjectName}\n`);
    expect(one).not.toContain('Reviews still open');
  });

  it('lists every problem of a failed preparation, with its field when known', () => {
    const { body } = renderNotification(DEFAULT_TEMPLATES.PREPARE_ERROR, fullView);
    expect(body).toContain('- approvalPeriodDays: is required\n- owner u-x is not in the directory\n');
    const none = renderNotification(DEFAULT_TEMPLATES.PREPARE_ERROR, { ...fullView, errors: [] });
    expect(none.body).toContain('- no details were recorded; see the campaign log');
  });

  it('lists every removed access for the user', () => {
    const { body } = renderNotification(DEFAULT_TEMPLATES.ASSIGNMENT_REJECT, fullView);
    expect(body).toContain(
      '- FinanceAdmin (p-fin): the reviewer rejected it\n- PayrollRead (p-pay): it was not confirmed before the review deadline\n',
    );
  });

  it('counts the hand-overs to approval workflows in Campaign End, and says nothing of them when there are none', () => {
    const { body } = renderNotification(DEFAULT_TEMPLATES.CAMPAIGN_END, fullView);
    expect(body).toContain(
      '- Access removed: 8\n- Handed to an approval workflow: 3 (each is kept or removed when its workflow decides)\n- Kept because the user or the privilege is protected: 2\n',
    );
    const none = renderNotification(DEFAULT_TEMPLATES.CAMPAIGN_END, { ...fullView, stats: { ...fullView.stats!, handedOver: 0, keptByGuard: 0 } });
    expect(none.body).toContain('- Access removed: 8\n\n');
    expect(none.body).not.toContain('approval workflow');
    expect(none.body).not.toContain('protected');
    // Totals of a run finished before the guard existed have no such count.
    const { keptByGuard: _kept, ...older } = fullView.stats!;
    expect(renderNotification(DEFAULT_TEMPLATES.CAMPAIGN_END, { ...fullView, stats: older }).body).not.toContain('protected');
  });

  it('asks the owner to confirm a campaign over its cap, with what applying would do and the commands', () => {
    const { subject, body } = renderNotification(DEFAULT_TEMPLATES.APPLY_CONFIRMATION, fullView);
    expect(subject).toBe('Confirmation needed: campaign "Finance high-risk users" would remove 45 % of its items');
    expect(body).toContain('without your confirmation (20 % of its items)');
    expect(body).toContain('What applying would do, of 40 assignments:\n- Remove: 18 (45 %)\n- Modify: 5\n- Hand to an approval workflow: 3\n- Keep: 12\n- Keep because the user or the privilege is protected: 2\n');
    expect(body).toContain('Nothing has been removed.');
    expect(body).toContain('idgov campaign confirm-apply cmp-7f3a');
    expect(body).toContain('idgov campaign apply-preview cmp-7f3a');
    const unguarded = renderNotification(DEFAULT_TEMPLATES.APPLY_CONFIRMATION, { ...fullView, applyCounts: { ...fullView.applyCounts!, keptByGuard: 0 } });
    expect(unguarded.body).not.toContain('protected');
  });

  it('reads cleanly when optional values are absent (counts of a campaign start are zero)', () => {
    const minimal: NotificationView = {
      entryCount: 0,
      itemCount: 0,
      campaignId: 'c',
      campaignName: 'Quarterly review',
      runLabel: 'Quarterly review 2026-01-01',
      kind: 'PRIVILEGE',
      dueDate: '2026-01-31',
      startDate: '2026-01-01',
      recipientName: 'Olga',
      ownerName: 'Olga',
      tasksUrl: 'https://idgov.example.com/tasks?approver=olga',
    };
    for (const kind of NOTIFICATION_KINDS) {
      const { subject, body } = renderNotification(DEFAULT_TEMPLATES[kind], minimal);
      expect(`${subject}\n${body}`).not.toMatch(/undefined|\{\{|: \n|\(\)|\n\n\n/);
    }
    expect(renderNotification(DEFAULT_TEMPLATES.CAMPAIGN_END, minimal).body).toContain('has finished and its decisions');
  });

  it('cannot be changed in place', () => {
    expect(() => {
      (DEFAULT_TEMPLATES.APPROVAL_START as { subject: string }).subject = 'changed';
    }).toThrow(TypeError);
    expect(DEFAULT_TEMPLATES.APPROVAL_START.subject).toContain('{{campaignName}}');
  });
});

describe('buildTemplates', () => {
  it('applies overrides field by field and keeps every other kind', () => {
    const templates = buildTemplates({
      APPROVAL_REMIND: { active: false },
      CAMPAIGN_END: { subject: 'Done: {{campaignName}}', body: 'Approved {{#stats}}{{approved}}{{/stats}}.' },
    });
    expect(templates.APPROVAL_REMIND).toEqual({ ...DEFAULT_TEMPLATES.APPROVAL_REMIND, active: false });
    expect(templates.CAMPAIGN_END).toEqual({ active: true, subject: 'Done: {{campaignName}}', body: 'Approved {{#stats}}{{approved}}{{/stats}}.' });
    for (const kind of NOTIFICATION_KINDS.filter((k) => k !== 'APPROVAL_REMIND' && k !== 'CAMPAIGN_END')) {
      expect(templates[kind]).toEqual(DEFAULT_TEMPLATES[kind]);
    }
    expect(renderNotification(templates.CAMPAIGN_END, fullView)).toEqual({
      subject: 'Done: Finance high-risk users',
      body: 'Approved 11.',
    });
  });

  it('returns copies: changing the result leaves the defaults alone', () => {
    const templates = buildTemplates();
    templates.NO_APPROVER.active = false;
    expect(DEFAULT_TEMPLATES.NO_APPROVER.active).toBe(true);
    expect(buildTemplates().NO_APPROVER.active).toBe(true);
  });

  it('ignores fields given as undefined', () => {
    expect(buildTemplates({ APPROVAL_START: { subject: undefined } }).APPROVAL_START).toEqual(DEFAULT_TEMPLATES.APPROVAL_START);
  });

  const broken: [kind: NotificationKind, override: object, field: string, message: string][] = [
    ['APPROVAL_START', { body: 'Hello {{#x}} never closed' }, 'notifications.APPROVAL_START.body', 'is not a valid template: Unclosed section "x"'],
    ['CAMPAIGN_END', { subject: 'Done {{campaignName' }, 'notifications.CAMPAIGN_END.subject', 'is not a valid template'],
    ['NO_APPROVER', { body: '{{#errors}}x{{/stats}}' }, 'notifications.NO_APPROVER.body', 'is not a valid template: Unclosed section "errors" at 12'],
    ['PREPARE_ERROR', { subject: 'Line one\nline two' }, 'notifications.PREPARE_ERROR.subject', 'must be a single line'],
    ['APPROVAL_REMIND', { subject: '   ' }, 'notifications.APPROVAL_REMIND.subject', 'must not be empty'],
    ['APPROVAL_REMIND', { body: '' }, 'notifications.APPROVAL_REMIND.body', 'must not be empty'],
    ['APPROVAL_TIMEOUT', { active: 'yes' }, 'notifications.APPROVAL_TIMEOUT.active', 'must be true or false'],
    ['CAMPAIGN_START', { body: 'Due {{dueDat}}' }, 'notifications.CAMPAIGN_START.body', 'unknown placeholder {{dueDat}}; known placeholders: campaignId'],
    ['CAMPAIGN_START', { body: '{{stats.approvd}}' }, 'notifications.CAMPAIGN_START.body', 'unknown placeholder {{stats.approvd}}'],
    ['ASSIGNMENT_REJECT', { body: '{{privilegeName}}' }, 'notifications.ASSIGNMENT_REJECT.body', 'unknown placeholder {{privilegeName}}'],
    ['ASSIGNMENT_REJECT', { body: 'Hi {{> footer}}' }, 'notifications.ASSIGNMENT_REJECT.body', 'partials ({{>footer}}) are not supported'],
    ['ASSIGNMENT_REJECT', { body: 'Hi {{.}}' }, 'notifications.ASSIGNMENT_REJECT.body', '{{.}} is only meaningful inside a section'],
  ];

  it.each(broken)('%s %j → ValidationError on %s', (kind, override, field, message) => {
    let caught: unknown;
    try {
      buildTemplates({ [kind]: override });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).field).toBe(field);
    expect((caught as ValidationError).message).toContain(`${field}: ${message}`);
  });

  it('accepts nested and list placeholders where they resolve', () => {
    const templates = buildTemplates({
      CAMPAIGN_END: { body: '{{stats.approved}} / {{#stats}}{{revoked}} {{campaignName}}{{/stats}}' },
      ASSIGNMENT_REJECT: { body: '{{#revoked}}{{privilegeName}} {{campaignName}} {{.}}{{/revoked}}' },
      PREPARE_ERROR: { body: '{{#errors}}{{#field}}{{field}}={{/field}}{{message}};{{/errors}}{{^errors}}none{{/errors}}{{! comment }}' },
    });
    expect(renderNotification(templates.PREPARE_ERROR, fullView).body).toBe(
      'approvalPeriodDays=is required;owner u-x is not in the directory;',
    );
    expect(renderNotification(templates.CAMPAIGN_END, fullView).body).toBe('11 / 8 Finance high-risk users');
    expect(renderNotification(templates.ASSIGNMENT_REJECT, { ...fullView, revoked: [] }).body).toBe('');
  });

  // A placeholder the kind's composer never fills would render as nothing in every mail of that kind.
  const unfilled: [kind: NotificationKind, override: object, field: string, placeholder: string][] = [
    ['CAMPAIGN_START', { body: 'Review of {{subjectName}}' }, 'notifications.CAMPAIGN_START.body', 'subjectName'],
    ['CAMPAIGN_END', { body: '{{#revoked}}{{privilegeName}}{{/revoked}}' }, 'notifications.CAMPAIGN_END.body', 'revoked'],
    ['PREPARE_ERROR', { subject: 'Not started, due {{dueDate}}' }, 'notifications.PREPARE_ERROR.subject', 'dueDate'],
    ['APPROVAL_REMIND', { body: '{{#stats}}{{approved}}{{/stats}}' }, 'notifications.APPROVAL_REMIND.body', 'stats'],
    ['ASSIGNMENT_REJECT', { body: '{{entryCount}} entries' }, 'notifications.ASSIGNMENT_REJECT.body', 'entryCount'],
    ['NO_APPROVER', { body: '{{openItemCount}} open' }, 'notifications.NO_APPROVER.body', 'openItemCount'],
  ];

  it.each(unfilled)('%s %j → refused on %s: {{%s}} is not filled for that kind', (kind, override, field, placeholder) => {
    expect(() => buildTemplates({ [kind]: override })).toThrow(
      new ValidationError(
        `placeholder {{${placeholder}}} is not filled in ${kind} notifications; known placeholders: ${[...KIND_PLACEHOLDERS[kind], ...(KIND_OPTIONAL_PLACEHOLDERS[kind] ?? [])].join(', ')}`,
        field,
      ),
    );
  });

  it('lets every kind use each placeholder its composer fills', () => {
    for (const kind of NOTIFICATION_KINDS) {
      const body = KIND_PLACEHOLDERS[kind].map((name) => `{{#${name}}}x{{/${name}}}`).join(' ');
      expect(() => buildTemplates({ [kind]: { body } })).not.toThrow();
    }
  });

  it('refuses an unknown notification kind', () => {
    expect(() => buildTemplates({ APPROVAL_BEGIN: { active: false } } as never)).toThrow(
      /^notifications\.APPROVAL_BEGIN: unknown notification kind; use one of APPROVAL_REMIND, /,
    );
  });
});

describe('renderNotification', () => {
  it('does not HTML-escape: the email is plain text', () => {
    const view = { ...fullView, campaignName: 'R&D <admins> "EU"', recipientName: "O'Neil & Sons" };
    const { subject, body } = renderNotification({ active: true, subject: '{{campaignName}}', body: '{{recipientName}} / {{{campaignName}}}' }, view);
    expect(subject).toBe('R&D <admins> "EU"');
    expect(body).toBe(`O'Neil & Sons / R&D <admins> "EU"`);
  });

  it('leaves the global Mustache escaping as it was', () => {
    renderNotification(DEFAULT_TEMPLATES.APPROVAL_START, fullView);
    expect(Mustache.render('{{x}}', { x: '<&>' })).toBe('&lt;&amp;&gt;');
  });

  it('keeps the subject on one line even when a value spans lines', () => {
    const view = { ...fullView, campaignName: 'Finance\r\n  high-risk\nusers' };
    const { subject } = renderNotification(DEFAULT_TEMPLATES.PREPARE_ERROR, view);
    expect(subject).toBe('Certification campaign "Finance high-risk users" could not start');
  });

  it('renders zero counts as 0', () => {
    const { body } = renderNotification(DEFAULT_TEMPLATES.CAMPAIGN_START, { ...fullView, entryCount: 0, itemCount: 0, failedEntryCount: 0 });
    expect(body).toContain('Certification entries: 0\nAssignments to review: 0\n');
    expect(body).not.toContain('could not be prepared');
  });
});

describe('missingPlaceholders', () => {
  it('finds nothing missing when every placeholder has a value, 0 included', () => {
    expect(missingPlaceholders('{{campaignName}}: {{entryCount}} / {{{runLabel}}} / {{&ownerName}}', { ...fullView, entryCount: 0 })).toEqual([]);
    for (const kind of NOTIFICATION_KINDS) {
      expect(missingPlaceholders(DEFAULT_TEMPLATES[kind].subject, fullView)).toEqual([]);
      expect(missingPlaceholders(DEFAULT_TEMPLATES[kind].body, fullView)).toEqual([]);
    }
  });

  it('names a variable that is absent, undefined, null or blank (Mustache would render nothing)', () => {
    const view = { ...fullView, entryCount: undefined, itemCount: null, ownerName: '  ' } as unknown as NotificationView;
    expect(missingPlaceholders('{{entryCount}} {{itemCount}} {{ownerName}} {{nothing}} {{stats.nothing}} {{campaignName}}', view)).toEqual([
      'entryCount',
      'itemCount',
      'ownerName',
      'nothing',
      'stats.nothing',
    ]);
    // The Campaign Start of issue 6: a composer that gave no counts.
    const { entryCount: _e, itemCount: _i, ...withoutCounts } = fullView;
    expect(missingPlaceholders(DEFAULT_TEMPLATES.CAMPAIGN_START.body, withoutCounts)).toEqual(['entryCount', 'itemCount']);
  });

  it('names a top-level section the view does not give, but not one that is off (false, 0, [])', () => {
    const { subjectName: _s, ...withoutSubject } = fullView;
    expect(missingPlaceholders(DEFAULT_TEMPLATES.APPROVAL_START.body, withoutSubject)).toEqual(['subjectName']);
    expect(missingPlaceholders('{{#failedEntryCount}}{{nothing}}{{/failedEntryCount}}{{#revoked}}{{nothing}}{{/revoked}}', { ...fullView, failedEntryCount: 0, revoked: [] })).toEqual([]);
  });

  it('looks inside a section that renders: in each list item, then outward', () => {
    const template = '{{#errors}}{{#field}}{{field}}: {{/field}}{{message}} ({{campaignName}}){{/errors}}{{^errors}}{{nothing}}{{/errors}}';
    expect(missingPlaceholders(template, fullView)).toEqual([]);
    expect(missingPlaceholders(template, { ...fullView, errors: [{ field: 'x', message: '' }] })).toEqual(['message']);
    // The inverted section renders when the list is empty: its placeholders must resolve then.
    expect(missingPlaceholders(template, { ...fullView, errors: [] })).toEqual(['nothing']);
    expect(missingPlaceholders('{{#stats}}{{approved}} {{rejected}}{{/stats}}', { ...fullView, stats: { approved: 1 } as never })).toEqual(['rejected']);
  });
});
