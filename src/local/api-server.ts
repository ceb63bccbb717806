// The approver API on 127.0.0.1 (`idgov api serve`): each request becomes the API Gateway HTTP API
// event the deployed function receives and goes through the same routes. Only the caller differs:
// here the `X-Idgov-User` header (or the local portal's sign-in cookie) names a directory user,
// since there is no Cognito to sign in to. The deployed handler never reads either. With `portal`,
// the same port serves the approver portal (src/local/portal-server.ts).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError, errorResponse, type ApiResponse } from '../../lambdas/shared/adapters/http/http-api.js';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import { isoInstant, parseInput } from '../../lambdas/shared/domain/schemas.js';
import type { Clock } from '../../lambdas/shared/use-cases/ports.js';
import { activeUser, handleApproverRequest, type ApproverApiDeps, type CallerResolver } from '../../lambdas/approver-api/routes.js';
import { servePortal, USER_COOKIE, userFromCookie } from './portal-server.js';

export const USER_HEADER = 'x-idgov-user';
/** Local only: the instant the request is handled at, for simulated campaigns (like the CLI's --now). */
export const NOW_HEADER = 'x-idgov-now';
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The local caller: the directory user named by `X-Idgov-User`, else by the portal's sign-in cookie,
 * who must be ACTIVE.
 */
export const callerFromHeader: CallerResolver = async (request, directory) => {
  const id = request.headers[USER_HEADER]?.trim() || userFromCookie(request.headers.cookie)?.trim();
  if (!id) {
    throw new HttpError(401, 'UNAUTHENTICATED', `name the caller with the X-Idgov-User header (a directory user id), or sign in to the portal (${USER_COOKIE} cookie)`);
  }
  return activeUser(await directory.getUser(id), `${id} is not a user of the directory`);
};

export interface ApiServerOptions {
  deps: ApproverApiDeps;
  /** 0 (the default) picks a free port. */
  port?: number;
  clock: Clock;
  /** Also serve the approver portal (its page, configuration and local sign-in) on the same port. */
  portal?: boolean;
  /** Called after each answer (the CLI prints an access line). */
  onResponse?: (line: { method: string; path: string; status: number; caller?: string }) => void;
}

export interface ApiServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const server = createServer((req, res) => {
    void serve(options, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new ValidationError(`127.0.0.1:${options.port} is already in use`, 'port') : error),
    );
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function serve(options: ApiServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
  let response: ApiResponse;
  try {
    if (options.portal && (await servePortal(req, res, options.deps.directory))) {
      options.onResponse?.({ method, path, status: res.statusCode });
      return;
    }
    const body = await readBody(req);
    const now = nowOf(req, options.clock);
    response = await handleApproverRequest(toEvent(req, body, now), { ...options.deps, resolveCaller: callerFromHeader, now });
  } catch (error) {
    response = errorResponse(error, options.deps.log, { method, path });
  }
  res.writeHead(response.statusCode, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
  res.end(response.body);
  const caller = req.headers[USER_HEADER] ?? userFromCookie(req.headers.cookie);
  options.onResponse?.({ method, path, status: response.statusCode, ...(typeof caller === 'string' ? { caller } : {}) });
}

function nowOf(req: IncomingMessage, clock: Clock): Date {
  const header = req.headers[NOW_HEADER];
  if (typeof header !== 'string') return clock.now();
  return new Date(parseInput(isoInstant, header, 'X-Idgov-Now'));
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `the body exceeds ${MAX_BODY_BYTES} bytes`, 'body');
    chunks.push(chunk as Buffer);
  }
  return chunks.length > 0 ? Buffer.concat(chunks).toString('utf8') : undefined;
}

/** The event API Gateway (HTTP API, payload format 2.0) would deliver for this request. */
export function toEvent(req: IncomingMessage, body: string | undefined, now: Date): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  const query = [...url.searchParams.keys()];
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers,
    ...(query.length ? { queryStringParameters: Object.fromEntries(query.map((k) => [k, url.searchParams.getAll(k).join(',')])) } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: false,
  };
}
