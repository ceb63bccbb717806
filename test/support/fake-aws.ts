// A fake of the two AWS APIs the report jobs call besides DynamoDB and SES, for tests that run a
// bundle in a process of its own (no client mock reaches it): SNS Publish (query protocol, answered
// in XML) and CloudWatch GetMetricData (JSON 1.0). Point AWS_ENDPOINT_URL_SNS and
// AWS_ENDPOINT_URL_CLOUDWATCH at `endpoint`.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface MetricQuery {
  Id: string;
  MetricStat: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] }; Period: number; Stat: string };
}

export interface FakeAws {
  endpoint: string;
  /** Each Publish's form fields (TopicArn, Subject, Message, ...). */
  published: Record<string, string>[];
  /** Each GetMetricData request's queries. */
  metricQueries: MetricQuery[][];
  stop(): Promise<void>;
}

/** `valueOf` answers each metric query (a single datapoint); 0 by default. */
export async function startFakeAws(valueOf: (query: MetricQuery) => number = () => 0): Promise<FakeAws> {
  const published: Record<string, string>[] = [];
  const metricQueries: MetricQuery[][] = [];
  const server = createServer(async (request, response) => {
    const body = await readBody(request);
    const target = request.headers['x-amz-target'];
    if (typeof target === 'string' && target.endsWith('.GetMetricData')) {
      const { MetricDataQueries: queries, EndTime: end } = JSON.parse(body) as { MetricDataQueries: MetricQuery[]; EndTime: number };
      metricQueries.push(queries);
      const results = queries.map((q) => ({ Id: q.Id, Label: q.MetricStat.Metric.MetricName, StatusCode: 'Complete', Timestamps: [end], Values: [valueOf(q)] }));
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ MetricDataResults: results, Messages: [] }));
      return;
    }
    const form = Object.fromEntries(new URLSearchParams(body));
    if (form.Action === 'Publish') {
      published.push(form);
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(
        '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">' +
          `<PublishResult><MessageId>sns-${published.length}</MessageId></PublishResult>` +
          '<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></PublishResponse>',
      );
      return;
    }
    response.writeHead(400, { 'content-type': 'text/plain' });
    response.end(`the fake answers SNS Publish and CloudWatch GetMetricData only, not ${target ?? form.Action ?? request.url}`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    published,
    metricQueries,
    stop: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
