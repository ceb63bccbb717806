// A fake of the AWS APIs the evidence functions call besides DynamoDB, for tests that run their bundles
// in processes of their own (no client mock reaches them): S3 PutObject (If-None-Match: *) and
// GetObject (path-style), KMS Sign and GetPublicKey (an RSA key made here), and Lambda Invoke, which
// hands each invocation to `invoke` (the test runs the named function's bundle). Point
// AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL_KMS and AWS_ENDPOINT_URL_LAMBDA at `endpoint`.
import { constants, createHash, generateKeyPairSync, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a function answered: its result, or the error it threw (Lambda answers that as a function error). */
export type FakeInvocation = { result: unknown } | { error: { errorType: string; errorMessage: string } };

export interface FakeEvidenceAws {
  endpoint: string;
  keyArn: string;
  publicKeyPem: string;
  /** Stored objects by `<bucket>/<key>`. */
  objects: Map<string, Uint8Array>;
  /** PutObject requests S3 accepted (a refused If-None-Match is not counted). */
  puts: string[];
  /** Each Invoke: the function and its event. */
  invocations: { functionName: string; event: unknown }[];
  stop(): Promise<void>;
}

export async function startFakeEvidenceAws(invoke: (functionName: string, event: unknown) => Promise<FakeInvocation>): Promise<FakeEvidenceAws> {
  const keyArn = 'arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555';
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const objects = new Map<string, Uint8Array>();
  const puts: string[] = [];
  const invocations: { functionName: string; event: unknown }[] = [];

  const server = createServer(async (request, response) => {
    try {
      const body = await readBody(request);
      const target = request.headers['x-amz-target'];
      const url = new URL(request.url ?? '/', 'http://fake');
      if (typeof target === 'string' && target.startsWith('TrentService.')) return kms(target.slice('TrentService.'.length), JSON.parse(body.toString('utf8')), response);
      const invocation = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(url.pathname);
      if (invocation && request.method === 'POST') {
        const functionName = decodeURIComponent(invocation[1]!);
        const event = JSON.parse(body.toString('utf8')) as unknown;
        invocations.push({ functionName, event });
        const answer = await invoke(functionName, event);
        response.writeHead(200, { 'content-type': 'application/json', ...('error' in answer ? { 'x-amz-function-error': 'Unhandled' } : {}) });
        response.end(JSON.stringify('error' in answer ? answer.error : answer.result));
        return;
      }
      return s3(request.method ?? 'GET', decodeURIComponent(url.pathname.slice(1)), request, body, response);
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(String(error));
    }
  });

  function kms(action: string, input: Record<string, string>, response: ServerResponse) {
    const answer = (value: unknown) => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify(value));
    };
    if (input.KeyId !== keyArn) {
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(JSON.stringify({ __type: 'NotFoundException', message: `Key '${input.KeyId}' does not exist` }));
      return;
    }
    if (action === 'GetPublicKey') {
      return answer({
        KeyId: keyArn,
        PublicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
        KeySpec: 'RSA_2048',
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: ['RSASSA_PKCS1_V1_5_SHA_256', 'RSASSA_PSS_SHA_256'],
      });
    }
    if (action === 'Sign' && input.SigningAlgorithm === 'RSASSA_PKCS1_V1_5_SHA_256' && input.MessageType === 'RAW') {
      const signature = sign('sha256', Buffer.from(input.Message!, 'base64'), { key: privateKey, padding: constants.RSA_PKCS1_PADDING });
      return answer({ KeyId: keyArn, Signature: signature.toString('base64'), SigningAlgorithm: input.SigningAlgorithm });
    }
    response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify({ __type: 'ValidationException', message: `the fake answers GetPublicKey and RAW PKCS#1 v1.5 Sign, not ${action} ${input.MessageType ?? ''}` }));
  }

  function s3(method: string, path: string, request: IncomingMessage, body: Buffer, response: ServerResponse) {
    const error = (status: number, code: string) => {
      response.writeHead(status, { 'content-type': 'application/xml' });
      response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${code}</Message><Key>${path}</Key></Error>`);
    };
    if (method === 'PUT') {
      if (request.headers['if-none-match'] !== '*') return error(400, 'InvalidRequest');
      const checksum = request.headers['x-amz-checksum-sha256'];
      if (checksum !== createHash('sha256').update(body).digest('base64')) return error(400, 'BadDigest');
      if (objects.has(path)) return error(412, 'PreconditionFailed');
      objects.set(path, new Uint8Array(body));
      puts.push(path);
      response.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"`, 'x-amz-checksum-sha256': checksum });
      response.end();
      return;
    }
    if (method === 'GET') {
      const object = objects.get(path);
      if (!object) return error(404, 'NoSuchKey');
      response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(object.byteLength) });
      response.end(Buffer.from(object));
      return;
    }
    error(405, 'MethodNotAllowed');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    keyArn,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    objects,
    puts,
    invocations,
    stop: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
