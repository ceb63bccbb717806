import { Aws, Duration, Fn, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  type IUserPool,
  Mfa,
  OAuthScope,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { PORTAL_CALLBACK_PATH, PORTAL_SIGNED_OUT_PATH } from '../../src/portal/contract.js';

/** CDK context: the prefix of the Cognito hosted sign-in domain, `https://<prefix>.auth.<region>.amazoncognito.com`. */
export const AUTH_DOMAIN_PREFIX_CONTEXT = 'idgov:authDomainPrefix';

/** What the portal asks for at sign-in (the page's config.json repeats them). */
export const PORTAL_SCOPES = ['openid', 'email', 'profile'] as const;

/** The prefix of `idgov:authDomainPrefix` (absent: undefined, the default); throws, naming the key, for one Cognito refuses. */
export function authDomainPrefixFromContext(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const prefix = String(value);
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(prefix)) {
    throw new Error(`context ${AUTH_DOMAIN_PREFIX_CONTEXT}: must be 1 to 63 lower-case letters, digits and inner hyphens, got "${prefix}"`);
  }
  const reserved = ['aws', 'amazon', 'cognito'].find((word) => prefix.includes(word));
  if (reserved) throw new Error(`context ${AUTH_DOMAIN_PREFIX_CONTEXT}: must not contain "${reserved}" (Cognito reserves it), got "${prefix}"`);
  return prefix;
}

/** The issuer of the pool's tokens, `https://cognito-idp.<region>.amazonaws.com/<poolId>`: the API's JWT issuer and the portal's. */
export function userPoolIssuer(scope: Construct, userPool: IUserPool): string {
  return `https://cognito-idp.${Stack.of(scope).region}.amazonaws.com/${userPool.userPoolId}`;
}

export interface ApproverIdentityProps {
  /** The approver portal's URL (no trailing slash): sign-in returns to its /callback, sign-out to its /signed-out. */
  readonly portalUrl: string;
  /**
   * The hosted sign-in domain's prefix (unique in the region, across all accounts).
   * @default `idgov-` and the first eight hex digits of the stack's id, fixed when the stack is created
   */
  readonly domainPrefix?: string;
}

/**
 * Who may call the approver API: a Cognito user pool where approvers sign in with their email
 * address, its hosted sign-in pages (a Cognito domain), and the app client the approver portal
 * uses. The API matches the ID token's verified email to a directory user, so the email is the
 * identity: users cannot change it themselves, and a changed address counts only once verified.
 *
 * Identity is state (passwords, MFA enrolments): the pool is retained and deletion-protected.
 */
export class ApproverIdentity extends Construct {
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  /** The hosted sign-in pages (Cognito's classic hosted UI). */
  readonly domain: UserPoolDomain;
  /** `https://<prefix>.auth.<region>.amazoncognito.com`, no trailing slash. */
  readonly hostedUiUrl: string;

  constructor(scope: Construct, id: string, props: ApproverIdentityProps) {
    super(scope, id);

    this.userPool = new UserPool(this, 'UserPool', {
      // Accounts are created by administrators for the directory's approvers only.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // TOTP only: SMS would need an SNS role and is the weaker factor.
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Approvers decide who keeps privileged access: sign-ins get threat protection (compromised
      // credentials, adaptive authentication), enforced.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    this.domain = this.userPool.addDomain('HostedSignIn', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? `idgov-${Fn.select(0, Fn.split('-', stackUuid))}` },
    });
    this.hostedUiUrl = this.domain.baseUrl();

    if (!Token.isUnresolved(props.portalUrl) && !/^https:\/\/[^/]+$/.test(props.portalUrl)) {
      throw new Error(`ApproverIdentity: portalUrl must be https://<domain> without a path, got "${props.portalUrl}"`);
    }
    this.userPoolClient = this.userPool.addClient('PortalClient', {
      // A browser app, public: no secret. The portal signs in through the hosted pages with the
      // authorization-code grant and PKCE (Cognito accepts the code_challenge of a public client);
      // no implicit grant, no client credentials. SRP stays for scripts that sign in directly.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${props.portalUrl}${PORTAL_CALLBACK_PATH}`],
        logoutUrls: [`${props.portalUrl}${PORTAL_SIGNED_OUT_PATH}`],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      readAttributes: new ClientAttributes().withStandardAttributes({ email: true, emailVerified: true, fullname: true }),
      // Not the email: it names the caller, so only administrators may change it.
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });
  }
}
