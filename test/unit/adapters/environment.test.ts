// The one environment reader, and the two functions' environments built on it: read once, and a
// missing or malformed variable is refused naming the variable.
import * as z from 'zod';
import { describe, expect, it } from 'vitest';
import { readApproverApiEnvironment } from '../../../lambdas/approver-api/environment.js';
import { readControllerEnvironment } from '../../../lambdas/campaign-controller/environment.js';
import { readEnvironment } from '../../../lambdas/shared/adapters/environment.js';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';

const CONTROLLER = {
  DIRECTORY_TABLE_NAME: 'idgov-directory',
  CAMPAIGN_TABLE_NAME: 'idgov-campaigns',
  OPERATIONS_TABLE_NAME: 'idgov-operations',
  AUDIT_TABLE_NAME: 'idgov-audit',
  SENDER_ADDRESS: 'governance@example.com',
  SES_CONFIGURATION_SET: '',
  APPROVER_PORTAL_URL: 'https://governance.example.com',
  CONTROLLER_LEASE_SECONDS: '660',
  CAMPAIGN_CLEANUP: 'TTL',
};

function refusal(read: () => unknown): ValidationError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('accepted');
}

describe('readEnvironment', () => {
  const spec = {
    table: { variable: 'TABLE_NAME', schema: z.string() },
    seconds: { variable: 'SECONDS', schema: z.coerce.number().int('must be a whole number').default(5) },
  };

  it('reads each field from its variable, with defaults', () => {
    expect(readEnvironment(spec, { TABLE_NAME: 't' })).toEqual({ table: 't', seconds: 5 });
    expect(readEnvironment(spec, { TABLE_NAME: 't', SECONDS: '7' })).toEqual({ table: 't', seconds: 7 });
  });

  it('names every bad variable, an empty one counting as unset', () => {
    const error = refusal(() => readEnvironment(spec, { TABLE_NAME: '', SECONDS: '1.5' }));
    expect(error.issues).toEqual([
      { field: 'TABLE_NAME', message: 'must be set' },
      { field: 'SECONDS', message: 'must be a whole number' },
    ]);
    expect(error.message).toBe('environment: TABLE_NAME: must be set; SECONDS: must be a whole number');
  });
});

describe("the functions' environments", () => {
  it('reads the controller environment CDK sets', () => {
    expect(readControllerEnvironment(CONTROLLER)).toEqual({
      directoryTable: 'idgov-directory',
      campaignTable: 'idgov-campaigns',
      auditTable: 'idgov-audit',
      operationsTable: 'idgov-operations',
      senderAddress: 'governance@example.com',
      sesConfigurationSet: undefined,
      approverPortalUrl: 'https://governance.example.com',
      leaseSeconds: 660,
      cleanup: 'TTL',
    });
    // Unset (the local runtime): the controller deletes a run's records itself.
    expect(readControllerEnvironment({ ...CONTROLLER, CAMPAIGN_CLEANUP: undefined }).cleanup).toBe('DELETE');
  });

  it('refuses a bad controller environment naming the variables', () => {
    const error = refusal(() =>
      readControllerEnvironment({
        ...CONTROLLER,
        SENDER_ADDRESS: 'governance',
        CAMPAIGN_TABLE_NAME: undefined,
        AUDIT_TABLE_NAME: '',
        OPERATIONS_TABLE_NAME: '',
        CONTROLLER_LEASE_SECONDS: '-1',
        CAMPAIGN_CLEANUP: 'NEVER',
      }),
    );
    expect(error.issues.map((i) => `${i.field}: ${i.message}`)).toEqual([
      'CAMPAIGN_TABLE_NAME: must be set',
      'AUDIT_TABLE_NAME: must be set',
      'OPERATIONS_TABLE_NAME: must be set',
      'SENDER_ADDRESS: must be an email address',
      'CONTROLLER_LEASE_SECONDS: must be positive',
      'CAMPAIGN_CLEANUP: must be DELETE or TTL',
    ]);
  });

  it("reads the approver API's environment, and names a bad one", () => {
    expect(readApproverApiEnvironment(CONTROLLER)).toEqual({
      directoryTable: 'idgov-directory',
      campaignTable: 'idgov-campaigns',
      auditTable: 'idgov-audit',
      approverPortalUrl: 'https://governance.example.com',
    });
    expect(refusal(() => readApproverApiEnvironment({ ...CONTROLLER, APPROVER_PORTAL_URL: 'governance' })).issues).toEqual([
      { field: 'APPROVER_PORTAL_URL', message: 'must be a URL' },
    ]);
  });
});
