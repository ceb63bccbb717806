// A call to the deployed stack that failed in a way the operator can act on: the message says what
// failed and what to do. The CLI prints it as is and exits 1 (not a bad input, not a bug).
import { STATEFUL_OUTPUTS } from '../../lib/stack-outputs.js';

export class RemoteCallError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RemoteCallError';
  }
}

/** What to do about the usual set-up failures: no region, no credentials, a refusal. */
export function setupHint(error: { name: string; message: string }): string {
  if (/AccessDenied/i.test(error.name)) {
    return ` (attach the deployment's administrators policy, output ${STATEFUL_OUTPUTS.administratorsPolicyArn} of the stateful stack, to your user or role)`;
  }
  if (/region is missing/i.test(error.message)) return ' (set AWS_REGION, or a region in your AWS profile)';
  if (error.name === 'CredentialsProviderError') return ' (sign in: aws sso login, AWS_PROFILE, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)';
  return '';
}
