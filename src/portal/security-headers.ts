// The approver portal's security headers, defined once for every host of the page: the CDK hosting
// (the CloudFront response headers policy and the policy written into index.html,
// lib/constructs/approver-portal.ts) and the local server. Values and pure functions only.

/**
 * The page's Content-Security-Policy directives other than `default-src` and `connect-src` (where the
 * page may send requests, which depends on the host). Scripts and styles from the portal's own
 * origin only (no inline code, no eval), images also as data: URLs, nothing framed or embedded,
 * forms posted back to the portal only, no <base> element.
 */
const PAGE_DIRECTIVES: readonly (readonly [directive: string, sources: string])[] = [
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self' data:"],
  ['font-src', "'self'"],
  ['manifest-src', "'self'"],
  ['media-src', "'none'"],
  ['frame-src', "'none'"],
  ['worker-src', "'none'"],
  ['object-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'self'"],
];

/** No page may frame the portal (clickjacking). Browsers ignore it in a <meta> policy, so only headers carry it. */
const FRAME_ANCESTORS = ['frame-ancestors', "'none'"] as const;

const render = (directives: readonly (readonly [string, string])[]) => directives.map(([name, sources]) => `${name} ${sources}`).join('; ');

/**
 * The portal's complete policy: nothing by default; requests to the portal's own origin and to
 * `connectSources` (the API's origin, the sign-in service's); and the page directives.
 * `delivery: 'meta'` leaves out frame-ancestors, which a <meta> policy may not hold.
 * A source is an origin (`https://host`) or a CDK token that resolves to one: never a wildcard.
 */
export function portalContentSecurityPolicy(connectSources: readonly string[], delivery: 'header' | 'meta' = 'header'): string {
  for (const source of connectSources) {
    if (!source || /[\s;,*'"]/.test(source)) throw new Error(`connect-src: "${source}" is not an origin`);
  }
  return render([
    ['default-src', "'none'"],
    ['connect-src', ["'self'", ...connectSources].join(' ')],
    ...PAGE_DIRECTIVES,
    ...(delivery === 'header' ? [FRAME_ANCESTORS] : []),
  ]);
}

/**
 * The header policy of a host that cannot name the API's origin where it sets its headers (CloudFront:
 * the API is deployed after the distribution, and its CORS names the distribution). Every directive of
 * the complete policy but `default-src` and `connect-src`; the page's <meta> policy
 * (portalContentSecurityPolicy(…, 'meta'), written into index.html at deployment) holds those. A
 * browser enforces both policies, so the page gets exactly the complete policy.
 */
export const PORTAL_HEADER_POLICY_WITHOUT_CONNECT = render([...PAGE_DIRECTIVES, FRAME_ANCESTORS]);

/** The other security headers, for every response of the portal. */
export const PORTAL_SECURITY_HEADERS = {
  /** HTTPS only, for two years, subdomains included (not preloaded: that is the domain owner's choice). */
  strictTransportSecuritySeconds: 63_072_000,
  contentTypeOptions: 'nosniff',
  frameOptions: 'DENY',
  /** The portal's URLs name entries and, on /callback, carry the sign-in code: never sent elsewhere. */
  referrerPolicy: 'no-referrer',
  permissionsPolicy: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
  crossOriginOpenerPolicy: 'same-origin',
} as const;

/**
 * index.html with `policy` as a <meta http-equiv="Content-Security-Policy"> right after its charset
 * declaration, before any script or stylesheet (a meta policy applies only to what follows it).
 */
export function withContentSecurityPolicyMeta(html: string, policy: string): string {
  if (/http-equiv="Content-Security-Policy"/i.test(html)) throw new Error('index.html already holds a Content-Security-Policy');
  const anchor = /<meta charset="[^"]*">/i.exec(html) ?? /<head>/i.exec(html);
  if (!anchor) throw new Error('index.html has no <head>');
  const at = anchor.index + anchor[0].length;
  const meta = `<meta http-equiv="Content-Security-Policy" content="${policy.replaceAll('"', '&quot;')}">`;
  return `${html.slice(0, at)}\n    ${meta}${html.slice(at)}`;
}
