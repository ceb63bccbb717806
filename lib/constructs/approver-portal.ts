import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  type IDistribution,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Bucket, type IBucket, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { accessLogsBucket, PRIVATE_BUCKET } from './private-bucket.js';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { buildPortal, type PortalFile } from '../../src/portal/build.js';
import { PORTAL_ASSETS_PREFIX, PORTAL_CONFIG_PATH, type PortalConfig } from '../../src/portal/contract.js';
import {
  PORTAL_HEADER_POLICY_WITHOUT_CONNECT,
  PORTAL_SECURITY_HEADERS,
  portalContentSecurityPolicy,
  withContentSecurityPolicyMeta,
} from '../../src/portal/security-headers.js';
import { acknowledgeBucketDeploymentFindings } from './nag-acknowledgements.js';

/** CDK context: the portal's own domain name (with PORTAL_CERTIFICATE_ARN_CONTEXT; both or neither). */
export const PORTAL_DOMAIN_NAME_CONTEXT = 'idgov:portalDomainName';
/** CDK context: the ACM certificate (us-east-1) of PORTAL_DOMAIN_NAME_CONTEXT. */
export const PORTAL_CERTIFICATE_ARN_CONTEXT = 'idgov:portalCertificateArn';

export interface PortalCustomDomain {
  /** e.g. approvals.example.com: its DNS record (CNAME or alias) points at the distribution. */
  readonly domainName: string;
  /** An ACM certificate for domainName in us-east-1, where CloudFront takes its certificates from. */
  readonly certificateArn: string;
}

const DOMAIN_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const US_EAST_1_CERTIFICATE = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/;

/** The custom domain of the `idgov:portalDomainName` / `idgov:portalCertificateArn` context, or undefined for none; throws, naming the key, for a bad one. */
export function portalDomainFromContext(domainName: unknown, certificateArn: unknown): PortalCustomDomain | undefined {
  if (domainName === undefined && certificateArn === undefined) return undefined;
  if (domainName === undefined) {
    throw new Error(`context ${PORTAL_DOMAIN_NAME_CONTEXT}: must be given with ${PORTAL_CERTIFICATE_ARN_CONTEXT} (both or neither)`);
  }
  if (certificateArn === undefined) {
    throw new Error(`context ${PORTAL_CERTIFICATE_ARN_CONTEXT}: must be given with ${PORTAL_DOMAIN_NAME_CONTEXT} (both or neither)`);
  }
  if (typeof domainName !== 'string' || !DOMAIN_NAME.test(domainName)) {
    throw new Error(`context ${PORTAL_DOMAIN_NAME_CONTEXT}: must be a lower-case DNS name such as approvals.example.com, got "${String(domainName)}"`);
  }
  if (typeof certificateArn !== 'string' || !US_EAST_1_CERTIFICATE.test(certificateArn)) {
    throw new Error(
      `context ${PORTAL_CERTIFICATE_ARN_CONTEXT}: must be the ARN of an ACM certificate in us-east-1 (CloudFront uses certificates from there only), ` +
        `got "${String(certificateArn)}"`,
    );
  }
  return { domainName, certificateArn };
}

/**
 * The CloudFront Function in front of the page (viewer request): every path but the configuration
 * file and the assets is one of the page's routes (/tasks, /entries/<id>, /callback, …; unknown
 * ones too, which the page answers), so the request is for index.html. A request rewrite, not an
 * error-page mapping: a missing asset stays a 403, and S3 never sees a route.
 */
export function portalRoutingFunctionCode(): string {
  return [
    'function handler(event) {',
    '  var request = event.request;',
    `  if (request.uri !== ${JSON.stringify(PORTAL_CONFIG_PATH)} && request.uri.indexOf(${JSON.stringify(PORTAL_ASSETS_PREFIX)}) !== 0) {`,
    "    request.uri = '/index.html';",
    '  }',
    '  return request;',
    '}',
  ].join('\n');
}

export interface ApproverPortalProps {
  /** @default none: the distribution's own https://<id>.cloudfront.net */
  readonly customDomain?: PortalCustomDomain;
}

/**
 * Where the approver portal is served from (stateful stack): a private bucket (no public access,
 * TLS only, S3-managed encryption, no website hosting) read by CloudFront through an origin access
 * control; HTTPS only (HTTP is redirected); the page's routes rewritten to index.html; the security
 * headers and the Content-Security-Policy on every response; access logs of the bucket and of the
 * distribution in a log bucket.
 *
 * In the stateful stack because its URL is in every mail the product has sent: redeploying the
 * functions must not change it. What the bucket holds is the stateless stack's (ApproverPortalContent).
 */
export class ApproverPortal extends Construct {
  readonly bucket: Bucket;
  readonly logsBucket: Bucket;
  readonly routingFunction: CloudFrontFunction;
  readonly securityHeaders: ResponseHeadersPolicy;
  readonly distribution: Distribution;
  /** The portal's URL, `https://<domain>` (no trailing slash): an origin, as the API's CORS and the mails' links use it. */
  readonly url: string;
  /**
   * The name the bucket's ARN is exported under (`<stack>-ApproverPortalBucketArn`): the stateless
   * stack imports it by this fixed name, so that the deployment's grants name a resource a reviewer can read.
   */
  readonly bucketArnExportName: string;

  constructor(scope: Construct, id: string, props: ApproverPortalProps = {}) {
    super(scope, id);

    // CloudFront's standard logs are written with ACLs: the log bucket lets object writers own them.
    this.logsBucket = accessLogsBucket(this, 'Logs', 365, { objectOwnership: ObjectOwnership.OBJECT_WRITER });
    this.bucket = new Bucket(this, 'Bucket', {
      ...PRIVATE_BUCKET,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: 's3/',
    });

    this.routingFunction = new CloudFrontFunction(this, 'Routes', {
      comment: 'Approver portal: the page routes are index.html',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(portalRoutingFunctionCode()),
    });

    // The Content-Security-Policy header names no resource: the API's origin (connect-src) is not
    // known here. The CloudFormation graph is
    //   distribution -> headers policy (static)          app client -> distribution (callback URL)
    //   HTTP API -> app client (JWT audience), distribution (CORS)
    //   page deployment (stateless) -> HTTP API, app client, distribution
    // so the exact connect-src and default-src 'none' travel in index.html's <meta> policy, written
    // by the page deployment once the API exists; the browser enforces both policies.
    this.securityHeaders = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Approver portal: HSTS, nosniff, DENY framing, no referrer, strict CSP',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: PORTAL_HEADER_POLICY_WITHOUT_CONNECT, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.seconds(PORTAL_SECURITY_HEADERS.strictTransportSecuritySeconds),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: PORTAL_SECURITY_HEADERS.permissionsPolicy, override: true },
          { header: 'Cross-Origin-Opener-Policy', value: PORTAL_SECURITY_HEADERS.crossOriginOpenerPolicy, override: true },
        ],
      },
    });

    const origin = S3BucketOrigin.withOriginAccessControl(this.bucket);
    const behavior = {
      origin,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      compress: true,
      responseHeadersPolicy: this.securityHeaders,
    };
    const customDomain = props.customDomain;
    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Identity governance approver portal',
      httpVersion: HttpVersion.HTTP2_AND_3,
      defaultRootObject: 'index.html',
      // index.html and config.json: never cached, so that a deployment shows at once.
      defaultBehavior: {
        ...behavior,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        functionAssociations: [{ function: this.routingFunction, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      // Content-hashed file names: cached as long as CloudFront allows.
      additionalBehaviors: { [`${PORTAL_ASSETS_PREFIX}*`]: { ...behavior, cachePolicy: CachePolicy.CACHING_OPTIMIZED } },
      logBucket: this.logsBucket,
      logFilePrefix: 'cloudfront/',
      ...(customDomain
        ? {
            domainNames: [customDomain.domainName],
            certificate: Certificate.fromCertificateArn(this, 'Certificate', customDomain.certificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    this.url = `https://${customDomain ? customDomain.domainName : this.distribution.distributionDomainName}`;
    this.bucketArnExportName = `${Stack.of(this).stackName}-ApproverPortalBucketArn`;
    Stack.of(this).exportValue(this.bucket.bucketArn, { name: this.bucketArnExportName });
    this.acknowledgeFindings(customDomain !== undefined);
  }

  private acknowledgeFindings(customDomain: boolean): void {
    const acknowledgements = [
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'No geographic restriction: approvers work wherever their organisation does, and every request the page makes needs a Cognito sign-in with MFA.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'No AWS WAF web ACL: the distribution serves only static files (read-only, GET and HEAD); the data is behind the approver API, throttled and JWT-authorized. Operators may attach a web ACL.',
      },
    ];
    if (!customDomain) {
      acknowledgements.push({
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate cannot be given a minimum TLS version; give idgov:portalDomainName and idgov:portalCertificateArn to serve the portal with TLS 1.2 or later only.',
      });
    }
    Validations.of(this.distribution).acknowledge(...acknowledgements);
  }
}

const PORTAL_SOURCE = fileURLToPath(new URL('../../src/portal/', import.meta.url));

let build: PortalFile[] | undefined;
/** The portal, built once per process: each synth of each stack uses the same files (and tests synthesize many). */
function portalBuild(): PortalFile[] {
  build ??= buildPortal();
  return build;
}

export interface ApproverPortalContentProps {
  /** The portal's bucket and distribution (ApproverPortal, stateful stack). */
  readonly bucket: IBucket;
  readonly distribution: IDistribution;
  /** What the page reads from /config.json: the API's URL and the sign-in settings. */
  readonly config: PortalConfig;
  /** Origins besides the portal's own the page sends requests to: the API and the sign-in service. */
  readonly connectSources: readonly string[];
}

/**
 * What the portal's bucket holds, deployed with the functions (stateless stack) because it names
 * them: the page's assets (built from src/portal/app at synth, content-hashed, cached for a year),
 * then index.html with its <meta> Content-Security-Policy naming the API, and /config.json (API URL,
 * Cognito domain and client), neither cached; then the distribution is invalidated. Assets of earlier
 * deployments stay (a page open during a deployment still loads its own).
 */
export class ApproverPortalContent extends Construct {
  readonly assets: BucketDeployment;
  readonly page: BucketDeployment;
  readonly deploymentRole: Role;
  readonly deploymentLogGroup: LogGroup;
  /** index.html as deployed (with CDK tokens where deployment-time values go). */
  readonly indexHtml: string;
  /** /config.json as deployed (with CDK tokens where deployment-time values go). */
  readonly config: PortalConfig;

  constructor(scope: Construct, id: string, props: ApproverPortalContentProps) {
    super(scope, id);
    this.config = props.config;
    const files = portalBuild();
    const index = files.find((file) => file.path === '/index.html');
    if (!index) throw new Error('the portal build emitted no index.html');
    this.indexHtml = withContentSecurityPolicyMeta(
      new TextDecoder().decode(index.contents),
      portalContentSecurityPolicy(props.connectSources, 'meta'),
    );
    const assetFiles = files.filter((file) => file.immutable);

    this.deploymentRole = new Role(this, 'DeploymentRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: "Copies the approver portal's files to its bucket and invalidates its distribution",
    });
    this.deploymentLogGroup = new LogGroup(this, 'DeploymentLogGroup', { retention: RetentionDays.ONE_YEAR });
    this.deploymentLogGroup.grantWrite(this.deploymentRole);
    const common = {
      destinationBucket: props.bucket,
      role: this.deploymentRole,
      logGroup: this.deploymentLogGroup,
      memoryLimit: 256,
      prune: false,
    };

    this.assets = new BucketDeployment(this, 'Assets', {
      ...common,
      sources: [
        Source.asset(PORTAL_SOURCE, {
          // The asset file names carry esbuild's content hash: together they identify the build.
          assetHashType: AssetHashType.CUSTOM,
          assetHash: createHash('sha256').update(assetFiles.map((file) => file.path).join('\n')).digest('hex'),
          bundling: {
            image: DockerImage.fromRegistry('never-used'),
            local: {
              tryBundle(outputDir) {
                for (const file of assetFiles) {
                  const target = join(outputDir, file.path.slice(PORTAL_ASSETS_PREFIX.length));
                  mkdirSync(dirname(target), { recursive: true });
                  writeFileSync(target, file.contents);
                }
                return true;
              },
            },
          },
        }),
      ],
      destinationKeyPrefix: PORTAL_ASSETS_PREFIX.slice(1),
      cacheControl: [CacheControl.fromString('public, max-age=31536000, immutable')],
    });

    this.page = new BucketDeployment(this, 'Page', {
      ...common,
      sources: [
        Source.data('index.html', this.indexHtml),
        Source.jsonData(PORTAL_CONFIG_PATH.slice(1), this.config),
      ],
      cacheControl: [CacheControl.noCache()],
      distribution: props.distribution,
      distributionPaths: ['/*'],
    });
    // index.html names the assets: they are in the bucket before it is.
    this.page.node.addDependency(this.assets);
    acknowledgeBucketDeploymentFindings(this, {
      role: this.deploymentRole,
      destination: props.bucket,
      copies: "the approver portal's files",
      invalidates: true,
    });
  }
}
