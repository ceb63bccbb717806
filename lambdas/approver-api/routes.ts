// The approver API (issue 3, item 7; issue 10; docs/approver-api.md): routes and who the caller is; the
// JSON views (of the types in api-types.ts, which the approver portal imports) are in views.ts. The
// Lambda handler and the local server both call handleApproverRequest; they differ only in how the
// caller is found (the JWT's email when deployed, a header on the local server).
import * as z from 'zod';
import { DEFAULT_REAPPROVAL_CONFIG, isApprovalId } from '../shared/domain/approvals/model.js';
import { ForbiddenError, ValidationError } from '../shared/domain/errors.js';
import type { Campaign, Entry, Item, User } from '../shared/domain/model.js';
import { decisionInputSchema, parseInput } from '../shared/domain/schemas.js';
import {
  HttpError,
  errorResponse,
  jsonObjectBody,
  jsonResponse,
  toApiRequest,
  type ApiRequest,
  type ApiResponse,
} from '../shared/adapters/http/http-api.js';
import { decideApproval, listAllTasks, readApprovalAs } from '../shared/use-cases/approvals/approval-tasks.js';
import { decide, type DecideRequest } from '../shared/use-cases/decisions.js';
import { readEntryAs } from '../shared/use-cases/entry-access.js';
import { hasOpenTasks, listOwnedCampaigns, ownsCampaigns, readCampaignProgressAs } from '../shared/use-cases/owner-campaigns.js';
import type { ApprovalStore, AuditLog, CampaignStore, DirectoryStore, Log, Outbox, ReapprovalDirectory } from '../shared/use-cases/ports.js';
import { reassignEntry } from '../shared/use-cases/reassign-entry.js';
import { confirmApplyAsOwner } from '../shared/use-cases/apply-guard.js';
import { APPROVER_API_ROUTES, type RouteKey } from './api-routes.js';
import type {
  ApprovalDecisionsResult,
  ApprovalDetailView,
  CampaignListView,
  CampaignProgressView,
  ConfirmApplyResult,
  DecisionsResult,
  EntryView,
  MeView,
  ReassignResult,
  TaskListView,
} from './api-types.js';
import {
  approvalDetail,
  approvalTask,
  campaignListView,
  campaignProgressView,
  campaignTaskView,
  entryPeopleIds,
  entryView,
  meView,
  progressPeopleIds,
  type People,
} from './views.js';

export interface ApproverApiDeps {
  campaigns: CampaignStore;
  /**
   * Read only: callers, step approvers, the re-approval configuration. A decision never changes
   * the directory: the start-reapproval job applies the outcome a decision reaches.
   */
  directory: DirectoryStore & ReapprovalDirectory;
  /** Approval runs (re-approvals and campaign hand-overs), served under /entries/{id} when the id begins `a-`. */
  approvals: ApprovalStore;
  outbox: Outbox;
  /** Decisions and reassignments are recorded here once saved. */
  audit: AuditLog;
  /** Base URL of the approver portal, for links in the notifications a reassignment or a decision sends. */
  portalUrl: string;
  log: Log;
}

/** Names the caller, a directory user, or throws (HttpError 401, ForbiddenError 403). */
export type CallerResolver = (request: ApiRequest, directory: DirectoryStore) => Promise<User>;

export interface RequestContext extends ApproverApiDeps {
  resolveCaller: CallerResolver;
  now: Date;
}

/**
 * The deployed API's caller: the email claim of the Cognito ID token API Gateway validated, which
 * must be verified and belong to exactly one ACTIVE directory user. Headers are never consulted.
 */
export const callerFromJwt: CallerResolver = async (request, directory) => {
  const email = request.claims?.email;
  if (typeof email !== 'string' || email.trim() === '') {
    throw new HttpError(401, 'UNAUTHENTICATED', 'no email claim in the token: send the Cognito ID token as "Authorization: Bearer <token>"');
  }
  // API Gateway passes claims as strings; a JWT library would give a boolean.
  const verified = request.claims?.email_verified;
  if (verified !== true && verified !== 'true') throw new ForbiddenError(`the email ${email} is not verified`);
  return activeUser(await directory.findUserByEmail(email), `no single directory user has the email ${email}`);
};

/** A resolved caller must be an ACTIVE directory user. */
export function activeUser(user: User | undefined, unknown: string): User {
  if (!user) throw new ForbiddenError(unknown);
  if (user.status !== 'ACTIVE') throw new ForbiddenError(`${user.id} is ${user.status}`);
  return user;
}

type Handle = (ctx: RequestContext, caller: User, request: ApiRequest, params: Record<string, string>) => Promise<unknown>;

interface Route {
  method: string;
  /** Segments; `{name}` matches one segment. */
  path: string;
  handle: Handle;
}

const HANDLERS: Record<RouteKey, Handle> = {
  'GET /tasks': getTasks,
  'GET /entries/{id}': getEntry,
  'POST /entries/{id}/decisions': postDecisions,
  'POST /entries/{id}/reassign': postReassign,
  'GET /me': getMe,
  'GET /campaigns': getCampaigns,
  'GET /campaigns/{id}': getCampaignProgress,
  'POST /campaigns/{id}/confirm-apply': postConfirmApply,
};

const ROUTES: Route[] = APPROVER_API_ROUTES.map((r) => ({ ...r, handle: HANDLERS[`${r.method} ${r.path}` as RouteKey] }));

export async function handleApproverRequest(event: unknown, ctx: RequestContext): Promise<ApiResponse> {
  let request: ApiRequest | undefined;
  try {
    request = toApiRequest(event);
    // A CORS preflight (the deployed API's unauthorized OPTIONS route): API Gateway adds the CORS
    // headers it is configured with; the answer names nobody and reads nothing.
    if (request.method === 'OPTIONS') return { statusCode: 204, headers: { 'cache-control': 'no-store' }, body: '' };
    const { route, params } = match(request);
    const caller = await ctx.resolveCaller(request, ctx.directory);
    return jsonResponse(200, await route.handle(ctx, caller, request, params));
  } catch (error) {
    return errorResponse(error, ctx.log, request);
  }
}

function match(request: ApiRequest): { route: Route; params: Record<string, string> } {
  const segments = request.path.split('/').slice(1);
  const allowed: string[] = [];
  for (const route of ROUTES) {
    const pattern = route.path.split('/').slice(1);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = pattern.every((part, i) => {
      const segment = segments[i]!;
      if (!part.startsWith('{')) return part === segment;
      const value = decodeSegment(segment);
      if (value === undefined || value === '') return false;
      params[part.slice(1, -1)] = value;
      return true;
    });
    if (!fits) continue;
    if (route.method === request.method) return { route, params };
    allowed.push(route.method);
  }
  if (allowed.length > 0) {
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${request.path}; use ${allowed.join(', ')}`, undefined, {
      allow: allowed.join(', '),
    });
  }
  throw new HttpError(404, 'NOT_FOUND', `no route ${request.method} ${request.path}`);
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Campaign entries (`kind: CAMPAIGN`) and approval runs (`kind: REAPPROVAL`) the caller decides, by due date. */
async function getTasks(ctx: RequestContext, caller: User): Promise<TaskListView> {
  const tasks = await listAllTasks(ctx.campaigns, ctx.approvals, caller.id);
  return {
    caller: { id: caller.id, displayName: caller.displayName },
    asOf: ctx.now.toISOString(),
    tasks: tasks.map((t) => (t.kind === 'CAMPAIGN' ? campaignTaskView(t.task, ctx.now) : approvalTask(t.approval, ctx.now))),
  } satisfies TaskListView;
}

async function getEntry(ctx: RequestContext, caller: User, _request: ApiRequest, params: Record<string, string>): Promise<EntryView | ApprovalDetailView> {
  if (isApprovalId(params.id!)) return approvalDetail(await readApprovalAs(ctx.approvals, params.id!, caller.id, ctx.campaigns), ctx.now);
  const { entry, items, campaign } = await readEntryAs(ctx.campaigns, params.id!, caller.id);
  return fullEntryView(ctx, caller, entry, items, campaign);
}

async function fullEntryView(ctx: RequestContext, caller: User, entry: Entry, items: Item[], campaign: Campaign): Promise<EntryView> {
  return entryView({ entry, items, campaign, people: await entryPeople(ctx.directory, entry, campaign), callerId: caller.id, now: ctx.now });
}

/** The entry's subject, campaign owner and approvers in one batch, then the subject's manager if not among them. */
async function entryPeople(directory: DirectoryStore, entry: Entry, campaign: Campaign): Promise<People> {
  const people = new Map(await directory.getUsers([...new Set(entryPeopleIds(entry, campaign))]));
  const managerId = entry.subjectKind === 'USER' ? people.get(entry.subjectId)?.managerId : undefined;
  if (managerId && !people.has(managerId)) {
    const manager = await directory.getUser(managerId);
    if (manager) people.set(managerId, manager);
  }
  return people;
}

/** Who the caller is to the portal: an approver with open work, a campaign owner, both or neither. */
async function getMe(ctx: RequestContext, caller: User): Promise<MeView> {
  const [isApprover, isCampaignOwner] = await Promise.all([hasOpenTasks(ctx.campaigns, ctx.approvals, caller.id), ownsCampaigns(ctx.campaigns, caller.id)]);
  return meView(caller, { isApprover, isCampaignOwner }, ctx.now);
}

/** The campaigns the caller owns (archived runs left out), newest first, with their current run's progress. */
async function getCampaigns(ctx: RequestContext, caller: User): Promise<CampaignListView> {
  return campaignListView(caller, await listOwnedCampaigns(ctx.campaigns, caller.id, ctx.now), ctx.now);
}

/** One campaign the caller owns, with every entry of its current run: 404 naming `id` if unknown, 403 for anyone else. */
async function getCampaignProgress(ctx: RequestContext, caller: User, _request: ApiRequest, params: Record<string, string>): Promise<CampaignProgressView> {
  const { campaign, progress } = await readCampaignProgressAs(ctx.campaigns, params.id!, caller.id, ctx.now);
  const people = await ctx.directory.getUsers([...new Set(progressPeopleIds(progress))]);
  return campaignProgressView(campaign, progress, people);
}

const confirmApplySchema = z.strictObject({
  remove: z.number('must be the number of removals the page showed').int('must be a whole number').min(0, 'must not be negative'),
});

/** The owner confirms applying a campaign over its revocation cap: `{ "remove": N }`, the removals they were shown. */
async function postConfirmApply(ctx: RequestContext, caller: User, request: ApiRequest, params: Record<string, string>): Promise<ConfirmApplyResult> {
  const { remove } = parseInput(confirmApplySchema, jsonObjectBody(request));
  const campaign = await confirmApplyAsOwner(ctx, params.id!, caller.id, remove, ctx.now);
  const confirmed = campaign.phase.name === 'APPLY' ? campaign.phase.confirmed : undefined;
  if (!confirmed) throw new Error(`campaign ${campaign.id} was confirmed but is in phase ${campaign.phase.name}`);
  return { campaignId: campaign.id, state: campaign.state, phase: 'APPLY', confirmedBy: confirmed.by, confirmedAt: confirmed.at, counts: { ...confirmed.counts } };
}

async function postDecisions(ctx: RequestContext, caller: User, request: ApiRequest, params: Record<string, string>): Promise<DecisionsResult | ApprovalDecisionsResult> {
  if (isApprovalId(params.id!)) return postApprovalDecision(ctx, caller, jsonObjectBody(request), params.id!);
  const result = await decide(ctx, { entryId: params.id!, actorId: caller.id, ...decisionsOf(jsonObjectBody(request)) }, ctx.now);
  return { entryId: result.entry.id, state: result.entry.state, decided: result.decided, finished: result.finished } satisfies DecisionsResult;
}

const approvalDecisionSchema = z.strictObject({
  itemId: z.string().min(1, 'must not be empty'),
  outcome: z.unknown(),
  comment: z.unknown().optional(),
});
const approvalBulkSchema = z.strictObject({ outcome: z.unknown(), comment: z.unknown().optional() });

/**
 * A run's one decision: `{ itemId, outcome, comment? }` or `{ all: { outcome, comment? } }`. The
 * outcome and comment are checked by decideApproval (APPROVE or REJECT; MODIFY refused naming
 * `outcome`), which moves the run on at once with the domain's re-approval configuration: the next
 * step opens, or the run reaches its outcome, which the next start-reapproval run applies.
 */
async function postApprovalDecision(ctx: RequestContext, caller: User, body: Record<string, unknown>, approvalId: string): Promise<ApprovalDecisionsResult> {
  let decision: { itemId?: string; outcome: unknown; comment?: unknown };
  if ('all' in body) {
    const extra = Object.keys(body).find((k) => k !== 'all');
    if (extra) throw new ValidationError('unknown field', extra);
    decision = parseInput(approvalBulkSchema, body.all, 'all');
  } else {
    decision = parseInput(approvalDecisionSchema, body);
  }
  const config = (await ctx.directory.getReapprovalConfig()) ?? DEFAULT_REAPPROVAL_CONFIG;
  const { run, decided, finished } = await decideApproval(
    ctx,
    {
      approvalId,
      actorId: caller.id,
      ...(decision.itemId !== undefined ? { itemId: decision.itemId } : {}),
      outcome: decision.outcome,
      ...(decision.comment !== undefined ? { comment: decision.comment } : {}),
    },
    config,
    ctx.now,
  );
  return { kind: 'REAPPROVAL', entryId: run.id, state: run.state, decided, finished } satisfies ApprovalDecisionsResult;
}

const bulkDecisionSchema = z.strictObject({
  outcome: z.enum(['APPROVE', 'REJECT']),
  comment: z.string().max(2000, 'must be at most 2000 characters').optional(),
  privilegeId: z.string().min(1, 'must not be empty').optional(),
});

/**
 * `{ "decisions": [ ... ] }`, `{ "all": { outcome, comment?, privilegeId? } }` (every open item), or
 * one decision object. Each is checked here so that fields are named as the client sent them.
 */
function decisionsOf(body: Record<string, unknown>): Pick<DecideRequest, 'decisions' | 'all'> {
  const wrapper = ['decisions', 'all'].find((key) => key in body);
  if (!wrapper) {
    parseInput(decisionInputSchema, body);
    return { decisions: [body] };
  }
  const extra = Object.keys(body).filter((k) => k !== wrapper);
  if (extra.length > 0) throw new ValidationError(extra[0] === 'all' ? 'give either decisions or all, not both' : 'unknown field', extra[0]);
  if (wrapper === 'all') return { all: parseInput(bulkDecisionSchema, body.all, 'all') };
  const { decisions } = body;
  if (!Array.isArray(decisions)) throw new ValidationError('must be a list of decisions', 'decisions');
  if (decisions.length === 0) throw new ValidationError('at least one decision is required', 'decisions');
  decisions.forEach((d, i) => parseInput(decisionInputSchema, d, `decisions.${i}`));
  return { decisions };
}

/** Answers the entry as it is now (the caller may have handed away the right to decide it), with what was recorded. */
async function postReassign(ctx: RequestContext, caller: User, request: ApiRequest, params: Record<string, string>): Promise<ReassignResult> {
  // A run's approvers come from its workflow step (and its escalation), never from a hand-over.
  if (isApprovalId(params.id!)) throw new ValidationError('a re-approval is not reassigned', 'id');
  const result = await reassignEntry(ctx, { entryId: params.id!, actor: { kind: 'user', userId: caller.id }, input: jsonObjectBody(request) }, ctx.now);
  const [loaded, campaign] = await Promise.all([ctx.campaigns.getEntryWithItems(result.entry.id), ctx.campaigns.getCampaign(result.entry.campaignId)]);
  if (!campaign) throw new Error(`campaign ${result.entry.campaignId} of entry ${result.entry.id} vanished during its reassignment`);
  const view = await fullEntryView(ctx, caller, result.entry, loaded?.items ?? [], campaign);
  return { ...view, reassignment: result.reassignment, notification: result.notification } satisfies ReassignResult;
}
