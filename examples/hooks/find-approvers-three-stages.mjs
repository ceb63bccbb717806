// A findApprovers hook with three approval stages (docs/hooks/README.md):
//   1. "Owner review"      the default approvers: the privilege's owners (PRIVILEGE campaign) or the
//                          user's manager (USER campaign); the campaign owner if there are none;
//   2. "Security review"   the security reviewers: IDGOV_SECURITY_REVIEWERS (comma-separated user
//                          ids) if set, else the user "security-officer";
//   3. "Owner sign-off"    the campaign owner.
// Stage n+1 starts when stage n is finished or expired and sees only what stage n approved, so
// one rejection anywhere removes the assignment. The periods add up to a 14-day campaign.
//
// Register it in a campaign file (relative paths start at the campaign file's folder):
//   "hooks": { "findApprovers": "file:./hooks/find-approvers-three-stages.mjs" }
// On AWS, deploy the same module as a Lambda function (handler: `handler`, exported below) and
// name its ARN instead.
//
// Nobody certifies their own access: idgov itself replaces an approver who would review their own
// assignment (manager's manager, else the campaign owner), so this hook need not check it.

const DEFAULT_SECURITY_REVIEWERS = ['security-officer'];

export default async function findApprovers(request) {
  if (request.version !== 1) throw new Error(`this hook speaks contract version 1, got ${request.version}`);
  const securityReviewers = (process.env.IDGOV_SECURITY_REVIEWERS ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const owners = request.defaultApproverIds.length > 0 ? request.defaultApproverIds : [request.campaign.ownerId];

  return {
    version: 1,
    stages: [
      { name: 'Owner review', approverIds: unique(owners), periodDays: 7 },
      {
        name: 'Security review',
        approverIds: unique(securityReviewers.length > 0 ? securityReviewers : DEFAULT_SECURITY_REVIEWERS),
        periodDays: 4,
      },
      { name: 'Owner sign-off', approverIds: [request.campaign.ownerId], periodDays: 3 },
    ],
  };
}

export const handler = findApprovers;

function unique(ids) {
  return [...new Set(ids)];
}
