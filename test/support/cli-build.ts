// A faithful build of the shipped `idgov` command for the tests that run it as a child process.
// bin/idgov.mjs compiles the TypeScript on the fly with tsx, which costs about 3 s of CPU a command
// (most of it resolving and loading ~1,200 modules through tsx's loader hooks); this build is
// bin/idgov.mjs itself bundled ahead of time by esbuild (the compiler tsx uses), so a command loads
// it in about 1 s. It stays what users run:
//  - the entry point is bin/idgov.mjs, unchanged: only its tsx registration is a no-op, since
//    nothing is left to compile;
//  - every module keeps its own location: `import.meta.url`, `__dirname` and `__filename` are
//    replaced by the module's original path, so files found relative to a module (the portal's
//    sources, packages loaded with createRequire) are the same files;
//  - class and function names are kept (`keepNames`), so names shown in messages do not change;
//  - esbuild itself (which locates its native binary from its own path) is loaded from node_modules.
// test/support/cli-build.setup.ts builds it once per test run; test/integration/cli-bin.test.ts
// holds the build to the shipped bin's output.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const SHIPPED_BIN = join(root, 'bin/idgov.mjs');

/** Loaded from node_modules at run time, by absolute path (so the build may live in any folder). */
const EXTERNAL_PACKAGES = ['esbuild'];

const LOADERS = { '.ts': 'ts', '.tsx': 'tsx', '.mts': 'ts', '.cts': 'ts', '.js': 'js', '.mjs': 'js', '.cjs': 'js', '.jsx': 'jsx' } as const;

function faithfulBuildPlugin(): Plugin {
  const requireFromRoot = createRequire(join(root, 'package.json'));
  return {
    name: 'idgov-faithful-build',
    setup(b) {
      // bin/idgov.mjs registers tsx to compile on the fly; the bundle is compiled already.
      b.onResolve({ filter: /^tsx\/esm\/api$/ }, () => ({ path: 'tsx-register', namespace: 'idgov-no-tsx' }));
      b.onLoad({ filter: /.*/, namespace: 'idgov-no-tsx' }, () => ({ contents: 'export function register() {}', loader: 'js' }));
      b.onResolve({ filter: new RegExp(`^(${EXTERNAL_PACKAGES.join('|')})$`) }, (args) => ({
        path: pathToFileURL(requireFromRoot.resolve(args.path)).href,
        external: true,
      }));
      // Each module's own location, as it has when run from its file.
      b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!/import\.meta\.(url|dirname|filename)|__dirname|__filename/.test(source)) return undefined;
        const extension = args.path.slice(args.path.lastIndexOf('.')) as keyof typeof LOADERS;
        const url = JSON.stringify(pathToFileURL(args.path).href);
        const contents = source
          .replace(/\bimport\.meta\.url\b/g, url)
          .replace(/\bimport\.meta\.dirname\b/g, JSON.stringify(dirname(args.path)))
          .replace(/\bimport\.meta\.filename\b/g, JSON.stringify(args.path))
          .replace(/\b__dirname\b/g, JSON.stringify(dirname(args.path)))
          .replace(/\b__filename\b/g, JSON.stringify(args.path));
        return { contents, loader: LOADERS[extension] ?? 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/** Builds bin/idgov.mjs and everything it loads into `outdir`: idgov.mjs, and the chunks it loads on demand. */
export async function buildIdgov(outdir: string): Promise<string> {
  await build({
    entryPoints: { idgov: SHIPPED_BIN },
    outdir,
    outExtension: { '.js': '.mjs' },
    // Each command's module is loaded when the command line names it (src/cli/main.ts): in chunks
    // of their own, the others are not even read.
    splitting: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    keepNames: true,
    logLevel: 'error',
    // CommonJS packages inside an ES module still call require (for Node's own modules).
    banner: { js: "import { createRequire as __idgovCreateRequire } from 'node:module'; const require = __idgovCreateRequire(import.meta.url);" },
    plugins: [faithfulBuildPlugin()],
  });
  return join(outdir, 'idgov.mjs');
}
