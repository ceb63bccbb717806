// API Gateway HTTP API (payload format 2.0) on one side, plain requests and JSON answers on the
// other. Shared by the approver API's Lambda handler and the local server, which builds the same
// event. Every answer is JSON; an error is `{ error: { code, message, field? } }`.
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import * as z from 'zod';
import { DomainError, ValidationError, type ErrorCode } from '../../domain/errors.js';
import { parseInput } from '../../domain/schemas.js';
import type { Log } from '../../use-cases/ports.js';

export type ApiResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string>; body: string };

/** A refusal that belongs to HTTP rather than to the domain (no route, wrong method, no identity). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export interface ApiRequest {
  method: string;
  /** Without a trailing slash; '/' for the root. */
  path: string;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body?: string;
  /** Claims of the JWT the API Gateway authorizer validated; absent when none did. */
  claims?: Record<string, unknown>;
  requestId?: string;
}

const apiGatewayEvent = z.looseObject({
  version: z.literal('2.0'),
  rawPath: z.string(),
  headers: z.record(z.string(), z.string().optional()).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
  requestContext: z.looseObject({
    requestId: z.string().optional(),
    http: z.looseObject({ method: z.string() }),
    authorizer: z.looseObject({ jwt: z.looseObject({ claims: z.record(z.string(), z.unknown()) }).optional() }).optional(),
  }),
});

/** Recognises an HTTP API (2.0) event; anything else is a wiring mistake, not a client's. */
export function toApiRequest(event: unknown): ApiRequest {
  const e = parseInput(apiGatewayEvent, event, 'event');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(e.headers ?? {})) if (value !== undefined) headers[name.toLowerCase()] = value;
  const body = e.body === undefined ? undefined : e.isBase64Encoded ? Buffer.from(e.body, 'base64').toString('utf8') : e.body;
  const path = e.rawPath.length > 1 ? e.rawPath.replace(/\/+$/, '') || '/' : '/';
  return {
    method: e.requestContext.http.method.toUpperCase(),
    path,
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(e.requestContext.authorizer?.jwt ? { claims: e.requestContext.authorizer.jwt.claims } : {}),
    ...(e.requestContext.requestId ? { requestId: e.requestContext.requestId } : {}),
  };
}

/** The request body as a JSON object: a missing, malformed or non-object body is a 400 naming `body`. */
export function jsonObjectBody(request: ApiRequest): Record<string, unknown> {
  if (request.body === undefined || request.body.trim() === '') throw new ValidationError('must be a JSON object', 'body');
  let value: unknown;
  try {
    value = JSON.parse(request.body);
  } catch {
    throw new ValidationError('not valid JSON', 'body');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ValidationError('must be a JSON object', 'body');
  return value as Record<string, unknown>;
}

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

const STATUS_OF: Partial<Record<ErrorCode, number>> = {
  VALIDATION: 400,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CLOSED: 409,
  CONFLICT: 409,
};

/** Maps a refusal to its status; anything unexpected is logged with its stack and answered 500 without it. */
export function errorResponse(error: unknown, log: Log, request?: Pick<ApiRequest, 'method' | 'path' | 'requestId'>): ApiResponse {
  if (error instanceof HttpError) {
    return jsonResponse(error.status, { error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } }, error.headers);
  }
  const status = error instanceof DomainError ? STATUS_OF[error.code] : undefined;
  if (error instanceof DomainError && status) {
    const issues = error instanceof ValidationError ? error.issues : [];
    const field = error.field ?? issues[0]?.field;
    return jsonResponse(status, {
      error: { code: error.code, message: error.message, ...(field ? { field } : {}), ...(issues.length > 1 ? { issues } : {}) },
    });
  }
  log.error('request failed', {
    method: request?.method,
    path: request?.path,
    requestId: request?.requestId,
    error: error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
  });
  return jsonResponse(500, { error: { code: 'INTERNAL', message: 'internal error' } });
}
