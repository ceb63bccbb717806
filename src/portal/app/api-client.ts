// The approver API from the browser: typed with the API's own declarations, every refusal turned
// into an ApiError that keeps the API's words and the field it names.
import type {
  ApiErrorBody,
  ApprovalDetailView,
  CampaignListView,
  CampaignProgressView,
  ConfirmApplyResult,
  DecisionsRequest,
  DecisionsResult,
  EntryView,
  MeView,
  ReassignRequest,
  ReassignResult,
  TaskListView,
} from '../../../lambdas/approver-api/api-types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly issues: { field: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Adds the caller's credentials to a request (a bearer token when deployed; nothing locally, where a cookie names the caller). */
export type Authorize = (headers: Headers) => Promise<void>;

export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly authorize: Authorize,
    /** Called on 401: the session ended; the auth module signs in again. */
    private readonly onUnauthenticated: () => void,
  ) {}

  me = () => this.request<MeView>('GET', '/me');
  tasks = () => this.request<TaskListView>('GET', '/tasks');
  entry = (id: string) => this.request<EntryView | ApprovalDetailView>('GET', `/entries/${encodeURIComponent(id)}`);
  decide = (id: string, body: DecisionsRequest) => this.request<DecisionsResult>('POST', `/entries/${encodeURIComponent(id)}/decisions`, body);
  reassign = (id: string, body: ReassignRequest) => this.request<ReassignResult>('POST', `/entries/${encodeURIComponent(id)}/reassign`, body);
  campaigns = () => this.request<CampaignListView>('GET', '/campaigns');
  campaign = (id: string) => this.request<CampaignProgressView>('GET', `/campaigns/${encodeURIComponent(id)}`);
  /** `remove`: the number of removals the owner was shown (the API refuses another). */
  confirmApply = (id: string, remove: number) => this.request<ConfirmApplyResult>('POST', `/campaigns/${encodeURIComponent(id)}/confirm-apply`, { remove });

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers = new Headers({ accept: 'application/json' });
    if (body !== undefined) headers.set('content-type', 'application/json');
    await this.authorize(headers);
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'The server could not be reached. Check your connection and try again.');
    }
    const text = await response.text();
    const json = text ? safeJson(text) : undefined;
    if (response.ok) return json as T;
    if (response.status === 401) this.onUnauthenticated();
    const error = (json as ApiErrorBody | undefined)?.error;
    throw new ApiError(
      response.status,
      error?.code ?? 'HTTP',
      error?.message ?? `The server answered ${response.status} ${response.statusText}.`,
      error?.field,
      error?.issues ?? [],
    );
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
