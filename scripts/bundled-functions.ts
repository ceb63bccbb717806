// The bundled Lambda functions of a cloud assembly (`cdk synth` output): each AWS::Lambda::Function
// whose code is an asset directory holding an esbuild bundle (`index.mjs`), found through the asset
// and path metadata the CDK CLI has the app write. Used by `npm run bench:bundles` and by the tests
// that run the bundles.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The largest bundle a function may have (1 MiB): past it, cold starts grow and the console stops showing the code. */
export const MAX_BUNDLE_BYTES = 1_048_576;

export interface BundledFunction {
  /** From the construct path, kebab-cased: `IdGovStateless/CampaignController/Function` is `campaign-controller`. */
  name: string;
  stackName: string;
  logicalId: string;
  constructPath: string;
  assetDir: string;
  /** The minified bundle, `<assetDir>/index.mjs`. */
  bundlePath: string;
  bytes: number;
  /** The function's environment variables as the template gives them (values may be CloudFormation references). */
  environment: Record<string, unknown>;
}

interface TemplateResource {
  Type: string;
  Properties?: { Code?: { S3Key?: unknown }; Environment?: { Variables?: Record<string, unknown> } };
  Metadata?: Record<string, unknown>;
}

export function readBundledFunctions(assemblyDir: string): BundledFunction[] {
  const functions: BundledFunction[] = [];
  for (const file of readdirSync(assemblyDir).filter((name) => name.endsWith('.template.json')).sort()) {
    const stackName = file.slice(0, -'.template.json'.length);
    const template = JSON.parse(readFileSync(join(assemblyDir, file), 'utf8')) as { Resources?: Record<string, TemplateResource> };
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function' || !resource.Properties?.Code?.S3Key) continue;
      const assetPath = resource.Metadata?.['aws:asset:path'];
      if (typeof assetPath !== 'string') {
        throw new Error(
          `${file}: ${logicalId} has no aws:asset:path metadata; the CDK CLI writes it, an in-process App needs the context ` +
            `"aws:cdk:enable-asset-metadata": true (and "aws:cdk:enable-path-metadata": true for the names)`,
        );
      }
      const assetDir = resolve(assemblyDir, assetPath);
      const bundlePath = join(assetDir, 'index.mjs');
      if (!existsSync(bundlePath)) continue;
      const constructPath = String(resource.Metadata?.['aws:cdk:path'] ?? `${stackName}/${logicalId}`);
      functions.push({
        name: functionName(constructPath),
        stackName,
        logicalId,
        constructPath,
        assetDir,
        bundlePath,
        bytes: statSync(bundlePath).size,
        environment: resource.Properties?.Environment?.Variables ?? {},
      });
    }
  }
  return functions;
}

function functionName(constructPath: string): string {
  const segments = constructPath.split('/').slice(1);
  if (segments.at(-1) === 'Resource') segments.pop();
  if (segments.length > 1 && segments.at(-1) === 'Function') segments.pop();
  return segments.map((s) => s.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()).join('-');
}
