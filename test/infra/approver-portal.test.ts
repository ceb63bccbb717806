// The approver portal on AWS (lib/constructs/approver-portal.ts, approver-identity.ts, approver-api.ts):
// a private bucket behind CloudFront (origin access control, HTTPS only, the page's routes rewritten
// to index.html, security headers and a strict Content-Security-Policy), sign-in through the Cognito
// hosted pages (code grant only), the API's CORS limited to the portal, and the portal's URL in every
// function that links to it. No stack parameter any more.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { Template } from 'aws-cdk-lib/assertions';
import { CachePolicy } from 'aws-cdk-lib/aws-cloudfront';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../lambdas/shared/config/tables.js';
import { AUTH_DOMAIN_PREFIX_CONTEXT, authDomainPrefixFromContext, PORTAL_SCOPES } from '../../lib/constructs/approver-identity.js';
import {
  PORTAL_CERTIFICATE_ARN_CONTEXT,
  PORTAL_DOMAIN_NAME_CONTEXT,
  portalDomainFromContext,
  portalRoutingFunctionCode,
} from '../../lib/constructs/approver-portal.js';
import { STATELESS_OUTPUTS, stackNames } from '../../lib/stack-outputs.js';
import { PORTAL_ASSETS_PREFIX, PORTAL_CALLBACK_PATH, PORTAL_CONFIG_PATH, PORTAL_ROUTES, PORTAL_SIGNED_OUT_PATH } from '../../src/portal/contract.js';
import { portalContentSecurityPolicy, withContentSecurityPolicyMeta } from '../../src/portal/security-headers.js';
import { acknowledgementsUnder, buildStacks, logicalIdOf, rawNagFindings, resolveImports } from './idgov-app.js';

/** A template object (aws-cdk-lib's own type for template JSON). */
type Json = ReturnType<Template['toJSON']>;
type Resource = { Type: string; Properties: Json; DependsOn?: string[] };

const { app, stateful, stateless } = buildStacks();
const assemblyDir = app.synth().directory;
const statefulTemplate = Template.fromStack(stateful);
const statelessTemplate = Template.fromStack(stateless);
const portal = stateful.approverPortal;
const identity = stateful.approverIdentity;
const content = stateless.approverPortalContent;
const distributionId = logicalIdOf(portal.distribution);
const PORTAL_URL = `https://<${distributionId}.DomainName>`;

const resourcesOf = (template: Template, type: string) =>
  Object.entries(template.toJSON().Resources as Record<string, Resource>).filter(([, r]) => r.Type === type);
const resourceOf = (template: Template, id: string) => (template.toJSON().Resources as Record<string, Resource>)[id]!;

/** A template value as text: imports replaced by what the stateful stack exports, references as <Logical.Attr> or <Ref>. */
function flat(value: unknown): string {
  const visit = (node: unknown): string => {
    if (typeof node === 'string') return node;
    const record = (node ?? {}) as Record<string, unknown>;
    if (Array.isArray(record['Fn::Join'])) {
      const [delimiter, items] = record['Fn::Join'] as [string, unknown[]];
      return items.map(visit).join(delimiter);
    }
    if (Array.isArray(record['Fn::GetAtt'])) return `<${(record['Fn::GetAtt'] as string[]).join('.')}>`;
    if ('Ref' in record) return `<${String(record.Ref)}>`;
    return JSON.stringify(node);
  };
  return visit(resolveImports(value, statefulTemplate));
}
/** A CDK value of the stateless stack (tokens included) as deployed, flattened. */
const deployed = (value: unknown) => flat(stateless.resolve(value));

/** The policy's directives: name → sources. */
function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

describe('the portal bucket', () => {
  const [bucketId, bucket] = [logicalIdOf(portal.bucket), resourceOf(statefulTemplate, logicalIdOf(portal.bucket))];

  it('is private, encrypted, owned by its owner, no website, its access logged', () => {
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      LoggingConfiguration: { DestinationBucketName: { Ref: logicalIdOf(portal.logsBucket) }, LogFilePrefix: 's3/' },
    });
    expect(bucket.Properties.WebsiteConfiguration).toBeUndefined();
  });

  it('lets only this distribution read it (origin access control), and refuses plain HTTP', () => {
    const [, policy] = resourcesOf(statefulTemplate, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === bucketId)!;
    const statements = policy.Properties.PolicyDocument.Statement as Json[];
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Action: 's3:GetObject',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      }),
    ]);
    expect(flat(allows[0]!.Condition.StringEquals['AWS:SourceArn'])).toBe(
      `arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<${distributionId}>`,
    );
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));

    const origins = resourceOf(statefulTemplate, distributionId).Properties.DistributionConfig.Origins as Json[];
    expect(origins).toHaveLength(1);
    expect(origins[0]!.DomainName).toEqual({ 'Fn::GetAtt': [bucketId, 'RegionalDomainName'] });
    const [oacId, oac] = resourcesOf(statefulTemplate, 'AWS::CloudFront::OriginAccessControl')[0]!;
    expect(origins[0]!.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [oacId, 'Id'] });
    expect(oac.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' });
  });
});

describe('the distribution', () => {
  const config = resourceOf(statefulTemplate, distributionId).Properties.DistributionConfig as Json;
  const behaviors = [config.DefaultCacheBehavior, ...config.CacheBehaviors] as Json[];

  it('serves HTTPS only (HTTP is redirected), GET and HEAD, logged', () => {
    for (const behavior of behaviors) {
      expect(behavior).toMatchObject({ ViewerProtocolPolicy: 'redirect-to-https', AllowedMethods: ['GET', 'HEAD'] });
    }
    expect(config.Logging).toEqual({ Bucket: { 'Fn::GetAtt': [logicalIdOf(portal.logsBucket), 'RegionalDomainName'] }, Prefix: 'cloudfront/' });
  });

  it('caches the content-hashed assets, never index.html or config.json', () => {
    expect(config.DefaultCacheBehavior.CachePolicyId).toBe(CachePolicy.CACHING_DISABLED.cachePolicyId);
    expect(config.CacheBehaviors).toEqual([
      expect.objectContaining({ PathPattern: `${PORTAL_ASSETS_PREFIX}*`, CachePolicyId: CachePolicy.CACHING_OPTIMIZED.cachePolicyId }),
    ]);
  });

  it('rewrites every page route to /index.html in a viewer-request function, and nothing else', () => {
    const [functionId, fn] = resourcesOf(statefulTemplate, 'AWS::CloudFront::Function')[0]!;
    expect(config.DefaultCacheBehavior.FunctionAssociations).toEqual([{ EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [functionId, 'FunctionARN'] } }]);
    expect(config.CacheBehaviors[0].FunctionAssociations).toBeUndefined();
    expect(fn.Properties.FunctionCode).toBe(portalRoutingFunctionCode());
    const handler = runInNewContext(`${portalRoutingFunctionCode()}\nhandler`) as (event: unknown) => { uri: string };
    const uriFor = (uri: string) => handler({ request: { uri, querystring: {} } }).uri;
    for (const route of PORTAL_ROUTES) expect(uriFor(route.replace(':id', 'e-42')), route).toBe('/index.html');
    expect(uriFor('/tasks?approver=ann')).toBe('/index.html');
    expect(uriFor('/no-such-page')).toBe('/index.html');
    expect(uriFor(PORTAL_CONFIG_PATH)).toBe(PORTAL_CONFIG_PATH);
    expect(uriFor(`${PORTAL_ASSETS_PREFIX}portal-ABC123.js`)).toBe(`${PORTAL_ASSETS_PREFIX}portal-ABC123.js`);
  });

  it('adds the security headers to every response', () => {
    const policyId = logicalIdOf(portal.securityHeaders);
    for (const behavior of behaviors) expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
    const headers = resourceOf(statefulTemplate, policyId).Properties.ResponseHeadersPolicyConfig;
    expect(headers.SecurityHeadersConfig).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
  });

  it('outputs the portal URL (the distribution) from the stateless stack', () => {
    expect(flat(statelessTemplate.toJSON().Outputs[STATELESS_OUTPUTS.approverPortalUrl].Value)).toBe(PORTAL_URL);
  });
});

describe('the Content-Security-Policy', () => {
  const header = resourceOf(statefulTemplate, logicalIdOf(portal.securityHeaders)).Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig
    .ContentSecurityPolicy;
  const headerPolicy = directives(header.ContentSecurityPolicy as string);
  const html = deployed(content.indexHtml);
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
  const metaPolicy = directives(meta?.[1] ?? '');
  const apiEndpoint = `<${logicalIdOf(stateless.approverApi.httpApi)}.ApiEndpoint>`;
  const hostedUi = `https://<${logicalIdOf(identity.domain)}>.auth.<AWS::Region>.amazoncognito.com`;

  it('in the header: scripts, styles and images from the portal only, nothing embedded, never framed', () => {
    expect(header.Override).toBe(true);
    expect(Object.fromEntries(headerPolicy)).toMatchObject({
      'script-src': ["'self'"],
      'style-src': ["'self'"],
      'img-src': ["'self'", 'data:'],
      'object-src': ["'none'"],
      'base-uri': ["'none'"],
      'frame-ancestors': ["'none'"],
      'form-action': ["'self'"],
    });
  });

  it('in index.html (deployed with the API): nothing by default, requests to the portal, the API and Cognito only', () => {
    expect(meta, 'the <meta> policy').not.toBeNull();
    expect(metaPolicy.get('default-src')).toEqual(["'none'"]);
    expect(metaPolicy.get('connect-src')).toEqual(["'self'", apiEndpoint, hostedUi, 'https://cognito-idp.<AWS::Region>.amazonaws.com']);
    // The meta policy comes before anything it governs.
    expect(html.indexOf('http-equiv="Content-Security-Policy"')).toBeLessThan(html.indexOf('<script'));
    // Both policies apply: together they are the complete one (the header's directives all repeated, but frame-ancestors, which a meta policy cannot hold).
    for (const [name, sources] of headerPolicy) if (name !== 'frame-ancestors') expect(metaPolicy.get(name), name).toEqual(sources);
    // The markers of the page deployment are replaced by the API's endpoint at deployment.
    const [, page] = resourcesOf(statelessTemplate, 'Custom::CDKBucketDeployment').find(([id]) => id.startsWith('ApproverPortalPage'))!;
    expect(JSON.stringify(page.Properties.SourceMarkers)).toContain(JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(stateless.approverApi.httpApi), 'ApiEndpoint'] }));
  });

  it('is built from origins only, and written once, before anything in <head>', () => {
    expect(() => portalContentSecurityPolicy(['https://*.execute-api.eu-west-1.amazonaws.com'])).toThrow('is not an origin');
    expect(() => portalContentSecurityPolicy(["'unsafe-eval'"])).toThrow('is not an origin');
    expect(portalContentSecurityPolicy(['https://api.example.com'])).toContain("frame-ancestors 'none'");
    expect(portalContentSecurityPolicy(['https://api.example.com'], 'meta')).not.toContain('frame-ancestors');
    expect(() => withContentSecurityPolicyMeta(html, "default-src 'none'")).toThrow('already holds a Content-Security-Policy');
    expect(() => withContentSecurityPolicyMeta('<p>no head</p>', "default-src 'none'")).toThrow('has no <head>');
    expect(withContentSecurityPolicyMeta('<html><head><script src="/a.js"></script></head></html>', "default-src 'none'")).toBe(
      '<html><head>\n    <meta http-equiv="Content-Security-Policy" content="default-src \'none\'"><script src="/a.js"></script></head></html>',
    );
  });

  it('allows no inline code, no eval and no wildcard anywhere', () => {
    for (const policy of [header.ContentSecurityPolicy as string, meta?.[1] ?? '']) {
      expect(policy).not.toMatch(/unsafe-|\*|\bhttp:|blob:/);
      expect(policy).not.toMatch(/(^|[\s;])https:(\s|;|$)/);
    }
  });
});

describe('the deployed page', () => {
  const deployments = Object.fromEntries(
    resourcesOf(statelessTemplate, 'Custom::CDKBucketDeployment').map(([id, r]) => [id.startsWith('ApproverPortalPage') ? 'page' : 'assets', { id, ...r }]),
  ) as Record<'page' | 'assets', Resource & { id: string }>;

  it('uploads the built assets under assets/, cached for a year, and index.html names them', () => {
    expect(deployments.assets.Properties).toMatchObject({
      DestinationBucketKeyPrefix: 'assets/',
      SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
      Prune: false,
    });
    const assetHash = (deployments.assets.Properties.SourceObjectKeys as string[])[0]!.replace(/\.zip$/, '');
    const uploaded = readdirSync(join(assemblyDir, `asset.${assetHash}`));
    const script = /<script type="module" src="\/assets\/([^"]+)"/.exec(content.indexHtml)?.[1];
    expect(uploaded).toContain(script);
    expect(uploaded.every((name) => /-[A-Z0-9]{8}\.(js|css)$/.test(name))).toBe(true);
  });

  it('then uploads index.html and config.json, never cached, and invalidates the distribution', () => {
    expect(deployments.page.Properties).toMatchObject({ SystemMetadata: { 'cache-control': 'no-cache' }, Prune: false, DistributionPaths: ['/*'] });
    expect(flat(deployments.page.Properties.DistributionId)).toBe(`<${distributionId}>`);
    expect(deployments.page.DependsOn).toContain(deployments.assets.id);
    for (const deployment of [deployments.page, deployments.assets]) {
      expect(JSON.stringify(resolveImports(deployment.Properties.DestinationBucketName, statefulTemplate))).toContain(
        JSON.stringify({ 'Fn::GetAtt': [logicalIdOf(portal.bucket), 'Arn'] }),
      );
    }
  });

  it('configures the page for the API and the hosted sign-in (config.json)', () => {
    const config = stateless.resolve(content.config) as Json;
    expect(deployed(config.apiUrl)).toBe(`<${logicalIdOf(stateless.approverApi.httpApi)}.ApiEndpoint>`);
    expect({ ...config.auth, domain: deployed(config.auth.domain), clientId: deployed(config.auth.clientId), issuer: deployed(config.auth.issuer) }).toEqual({
      kind: 'cognito',
      domain: `https://<${logicalIdOf(identity.domain)}>.auth.<AWS::Region>.amazoncognito.com`,
      clientId: `<${logicalIdOf(identity.userPoolClient)}>`,
      issuer: `https://cognito-idp.<AWS::Region>.amazonaws.com/<${logicalIdOf(identity.userPool)}>`,
      scopes: ['openid', 'email', 'profile'],
    });
  });
});

describe('sign-in', () => {
  const client = resourceOf(statefulTemplate, logicalIdOf(identity.userPoolClient)).Properties;

  it('is the hosted pages with the authorization-code grant only, for a public client', () => {
    expect(client).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: [...PORTAL_SCOPES],
      SupportedIdentityProviders: ['COGNITO'],
    });
  });

  it('returns to the portal: /callback after sign-in, /signed-out after sign-out', () => {
    expect(client.CallbackURLs.map(flat)).toEqual([`${PORTAL_URL}${PORTAL_CALLBACK_PATH}`]);
    expect(client.LogoutURLs.map(flat)).toEqual([`${PORTAL_URL}${PORTAL_SIGNED_OUT_PATH}`]);
  });

  it('has a Cognito domain, idgov- and the stack id by default', () => {
    const [, domain] = resourcesOf(statefulTemplate, 'AWS::Cognito::UserPoolDomain')[0]!;
    expect(domain.Properties.UserPoolId).toEqual({ Ref: logicalIdOf(identity.userPool) });
    expect(JSON.stringify(domain.Properties.Domain)).toContain('AWS::StackId');
    expect(domain.Properties.Domain['Fn::Join'][1][0]).toBe('idgov-');
  });

  it('takes the domain prefix from idgov:authDomainPrefix, refusing one Cognito would', () => {
    const { stateful: named } = buildStacks(stackNames('Prefixed'), { [AUTH_DOMAIN_PREFIX_CONTEXT]: 'acme-approvals' });
    Template.fromStack(named).hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-approvals' });
    expect(() => authDomainPrefixFromContext('Acme')).toThrow(/^context idgov:authDomainPrefix: must be 1 to 63 lower-case/);
    expect(() => authDomainPrefixFromContext('my-aws-portal')).toThrow('context idgov:authDomainPrefix: must not contain "aws"');
    expect(() => authDomainPrefixFromContext('-x')).toThrow(/idgov:authDomainPrefix/);
  });
});

describe('the API and the functions', () => {
  it("admit the portal's origin only in the API's CORS: GET and POST, with the token and JSON", () => {
    const [, api] = resourcesOf(statelessTemplate, 'AWS::ApiGatewayV2::Api')[0]!;
    const cors = api.Properties.CorsConfiguration;
    expect(cors.AllowOrigins.map(flat)).toEqual([PORTAL_URL]);
    expect(cors).toMatchObject({ AllowMethods: ['GET', 'POST'], AllowHeaders: ['authorization', 'content-type'] });
    expect(cors.AllowCredentials).toBeUndefined();
  });

  it('link their mails to the portal: APPROVER_PORTAL_URL of every function that has one', () => {
    const linking = resourcesOf(statelessTemplate, 'AWS::Lambda::Function').filter(([, fn]) => fn.Properties.Environment?.Variables?.[ENV.approverPortalUrl]);
    const ids = linking.map(([id]) => id);
    for (const fn of [stateless.controller.function, stateless.approverApi.function, stateless.reapprovalJobs.byName['start-reapproval'].function]) {
      expect(ids).toContain(logicalIdOf(fn));
    }
    for (const [id, fn] of linking) expect(flat(fn.Properties.Environment.Variables[ENV.approverPortalUrl]), id).toBe(PORTAL_URL);
  });

  it('no longer ask for the portal URL as a stack parameter', () => {
    expect(Object.keys(statelessTemplate.toJSON().Parameters ?? {})).not.toContain('ApproverPortalUrl');
  });

  it('synthesize without a dependency cycle: the stateless stack depends on the stateful one, never the reverse', () => {
    expect(stateless.dependencies).toContain(stateful);
    expect(stateful.dependencies).not.toContain(stateless);
  });
});

describe('a custom portal domain (idgov:portalDomainName, idgov:portalCertificateArn)', () => {
  const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
  const { app: customApp, stateful: custom, stateless: customStateless } = buildStacks(stackNames('Custom'), {
    [PORTAL_DOMAIN_NAME_CONTEXT]: 'approvals.example.com',
    [PORTAL_CERTIFICATE_ARN_CONTEXT]: CERTIFICATE,
  });

  it('serves the portal there, with TLS 1.2 or later, and every link, callback and CORS origin names it', () => {
    const distribution = Template.fromStack(custom).toJSON().Resources[logicalIdOf(custom.approverPortal.distribution)].Properties.DistributionConfig;
    expect(distribution.Aliases).toEqual(['approvals.example.com']);
    expect(distribution.ViewerCertificate).toEqual({ AcmCertificateArn: CERTIFICATE, MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    expect(custom.approverPortal.url).toBe('https://approvals.example.com');
    const client = Template.fromStack(custom).toJSON().Resources[logicalIdOf(custom.approverIdentity.userPoolClient)].Properties;
    expect(client.CallbackURLs).toEqual(['https://approvals.example.com/callback']);
    const statelessJson = Template.fromStack(customStateless).toJSON();
    expect(Object.values(statelessJson.Resources as Record<string, Resource>).find((r) => r.Type === 'AWS::ApiGatewayV2::Api')!.Properties.CorsConfiguration.AllowOrigins).toEqual([
      'https://approvals.example.com',
    ]);
    const controller = statelessJson.Resources[logicalIdOf(customStateless.controller.function)].Properties;
    expect(controller.Environment.Variables[ENV.approverPortalUrl]).toBe('https://approvals.example.com');
  });

  it('leaves cdk-nag nothing to say about TLS: only the geographic and WAF findings are acknowledged', () => {
    customApp.synth();
    const portalPath = `${custom.approverPortal.node.path}/`;
    const findings = rawNagFindings(customApp)
      .filter((f) => f.violatingConstructs.some((c) => c.constructPath.startsWith(portalPath)))
      .map((f) => f.ruleName)
      .sort();
    expect(findings).toEqual(['AwsSolutions-CFR1', 'AwsSolutions-CFR2']);
    expect(acknowledgementsUnder(custom.approverPortal).map((a) => a.id).sort()).toEqual(findings);
  });

  it('needs both keys, a DNS name and a us-east-1 certificate: errors name the key', () => {
    expect(portalDomainFromContext(undefined, undefined)).toBeUndefined();
    expect(() => portalDomainFromContext('approvals.example.com', undefined)).toThrow(
      'context idgov:portalCertificateArn: must be given with idgov:portalDomainName (both or neither)',
    );
    expect(() => portalDomainFromContext(undefined, CERTIFICATE)).toThrow('context idgov:portalDomainName: must be given with idgov:portalCertificateArn');
    expect(() => portalDomainFromContext('https://approvals.example.com', CERTIFICATE)).toThrow(/^context idgov:portalDomainName: must be a lower-case DNS name/);
    expect(() => portalDomainFromContext('approvals.example.com', CERTIFICATE.replace('us-east-1', 'eu-west-1'))).toThrow(
      /^context idgov:portalCertificateArn: must be the ARN of an ACM certificate in us-east-1/,
    );
    expect(() => buildStacks(stackNames('Half'), { [PORTAL_DOMAIN_NAME_CONTEXT]: 'approvals.example.com' })).toThrow(/idgov:portalCertificateArn/);
  });
});
