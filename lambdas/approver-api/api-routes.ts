// The approver API's routes, in one place: the Lambda's router dispatches on them and the CDK
// construct declares each one in API Gateway with the JWT authorizer.
export const APPROVER_API_ROUTES = [
  { method: 'GET', path: '/tasks' },
  { method: 'GET', path: '/entries/{id}' },
  { method: 'POST', path: '/entries/{id}/decisions' },
  { method: 'POST', path: '/entries/{id}/reassign' },
  { method: 'GET', path: '/me' },
  { method: 'GET', path: '/campaigns' },
  { method: 'GET', path: '/campaigns/{id}' },
  { method: 'POST', path: '/campaigns/{id}/confirm-apply' },
] as const;

export type ApproverApiRoute = (typeof APPROVER_API_ROUTES)[number];
type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string } ? `${M} ${P}` : never;
export type RouteKey = KeyOf<ApproverApiRoute>;
