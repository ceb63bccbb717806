// Builds the approver portal (src/portal/app/) with esbuild: one minified script, one stylesheet
// and index.html, content-hashed so that a CDN may cache the assets for ever. The local server
// builds it in memory at start; the CDK hosting builds it to a folder that it uploads.
// The page itself is written for Preact (small, well kept, the React API): see README, "Approver portal".
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { PORTAL_ASSETS_PREFIX } from './contract.js';

const APP_DIR = join(dirname(fileURLToPath(import.meta.url)), 'app');

export interface PortalFile {
  /** URL path, beginning with '/': '/index.html', '/assets/portal-3F2A….js'. */
  path: string;
  contentType: string;
  contents: Uint8Array;
  /** Content-hashed: cacheable for ever. index.html is not. */
  immutable: boolean;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** The portal's files, built in memory (synchronous: CDK asset bundling cannot wait). */
export function buildPortal(options: { minify?: boolean } = {}): PortalFile[] {
  const result = buildSync({
    entryPoints: { portal: join(APP_DIR, 'main.tsx') },
    bundle: true,
    write: false,
    outdir: join(APP_DIR, 'out'),
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    format: 'esm',
    target: ['chrome120', 'firefox120', 'safari16'],
    platform: 'browser',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: options.minify ?? true,
    legalComments: 'none',
    metafile: false,
    logLevel: 'silent',
    tsconfig: join(APP_DIR, 'tsconfig.json'),
  });
  const assets: PortalFile[] = result.outputFiles.map((file) => {
    const name = file.path.slice(file.path.lastIndexOf('/') + 1);
    return {
      path: `${PORTAL_ASSETS_PREFIX}${name}`,
      contentType: CONTENT_TYPES[name.slice(name.lastIndexOf('.'))] ?? 'application/octet-stream',
      contents: file.contents,
      immutable: true,
    };
  });
  const script = assets.find((a) => a.path.endsWith('.js'));
  const style = assets.find((a) => a.path.endsWith('.css'));
  if (!script) throw new Error('the portal build emitted no script');
  const html = readFileSync(join(APP_DIR, 'index.html'), 'utf8')
    .replace('%SCRIPT%', script.path)
    .replace('%STYLE%', style ? `<link rel="stylesheet" href="${style.path}">` : '');
  return [{ path: '/index.html', contentType: CONTENT_TYPES['.html']!, contents: new TextEncoder().encode(html), immutable: false }, ...assets];
}

/** Writes the build to a folder (replaced): index.html at its root, the assets under assets/. */
export function writePortal(outDir: string, options: { minify?: boolean } = {}): PortalFile[] {
  const files = buildPortal(options);
  rmSync(outDir, { recursive: true, force: true });
  for (const file of files) {
    const target = join(outDir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.contents);
  }
  return files;
}
