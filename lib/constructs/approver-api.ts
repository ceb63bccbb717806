import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { APPROVER_API_ROUTES } from '../../lambdas/approver-api/api-routes.js';
import { CAMPAIGN_TABLE, DIRECTORY_TABLE, ENV } from '../../lambdas/shared/config/tables.js';
import { AppFunction, grantAuditAppend } from './app-function.js';
import { userPoolIssuer } from './approver-identity.js';

export interface ApproverApiProps {
  readonly directoryTable: ITable;
  readonly campaignTable: ITable;
  /** The audit log: decisions and reassignments are appended to it (grantAuditAppend). */
  readonly auditTable: ITable;
  /** The pool approvers sign in to; its ID tokens are the API's credentials. */
  readonly userPool: IUserPool;
  /** The app client whose tokens the API accepts (the JWT audience). */
  readonly userPoolClient: IUserPoolClient;
  /**
   * The approver portal's URL, `https://<domain>` (an origin: no path): the links in the
   * notifications a reassignment sends, and the one origin the API's CORS admits.
   */
  readonly approverPortalUrl: string;
  /** @default 25 requests per second, bursts of 50 */
  readonly throttle?: ThrottleSettings;
}

/** Every request, one JSON line: who (token subject), what, and how it ended. No email addresses. */
const ACCESS_LOG_FIELDS: Record<string, string> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  subject: '$context.authorizer.claims.sub',
  authorizerError: '$context.authorizer.error',
  integrationError: '$context.integrationErrorMessage',
};

/**
 * The approver HTTP API (docs/approver-api.md): an API Gateway HTTP API whose every route requires a Cognito ID
 * token (JWT authorizer), in front of one function that routes, reads the caller from the token
 * and calls the use cases. Unknown paths reach the function through `$default` (still
 * authorized) so that every answer, 404 and 405 included, is the API's JSON.
 */
export class ApproverApi extends Construct {
  readonly function: AppFunction;
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ApproverApiProps) {
    super(scope, id);

    this.function = new AppFunction(this, 'Function', {
      entry: 'lambdas/approver-api/handler.ts',
      description: "Approver API: tasks, entries, re-approvals, decisions and reassignment for the token's user",
      timeout: Duration.seconds(15),
      environment: { [ENV.approverPortalUrl]: props.approverPortalUrl },
    });
    // Decisions and reassignments write entries, items, approval runs and the outbox. The directory
    // is only read: a decision that ends a re-approval or a hand-over leaves its outcome (keep or
    // remove the assignment) to the start-reapproval job, so this internet-facing function can
    // change no assignment.
    this.function.bindTable(props.campaignTable, CAMPAIGN_TABLE, 'RW');
    this.function.bindTable(props.directoryTable, DIRECTORY_TABLE, 'RO');
    grantAuditAppend(this.function, props.auditTable);

    const authorizer = new HttpJwtAuthorizer('CognitoIdToken', userPoolIssuer(this, props.userPool), {
      jwtAudience: [props.userPoolClient.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });
    const integration = new HttpLambdaIntegration('Handler', this.function);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      apiName: `${Stack.of(this).stackName}-approver-api`,
      description: 'Identity governance approver API',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
      defaultIntegration: integration,
      // The portal calls the API from its own origin (the page sends the token in Authorization).
      corsPreflight: {
        allowOrigins: [props.approverPortalUrl],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST],
        allowHeaders: ['authorization', 'content-type'],
        maxAge: Duration.hours(1),
      },
    });
    for (const route of APPROVER_API_ROUTES) {
      this.httpApi.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
    }
    // $default (authorized) would catch the browser's preflight, which carries no token: OPTIONS
    // has a route of its own without authorizer. API Gateway adds the CORS headers; the function
    // answers it without a caller and without touching data.
    const [preflight] = this.httpApi.addRoutes({
      path: '/{proxy+}',
      methods: [HttpMethod.OPTIONS],
      integration,
      authorizer: new HttpNoneAuthorizer(),
    });
    Validations.of(preflight!).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The CORS preflight route (OPTIONS /{proxy+}) is unauthorized by design: browsers send no Authorization header on a ' +
        'preflight. Every other route, $default included, has the Cognito JWT authorizer.',
    });

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_YEAR });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 25, burstLimit: 50 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
  }

  /** The API's base URL (ends with a slash). */
  get url(): string {
    return this.stage.url;
  }
}
