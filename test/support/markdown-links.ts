// Relative Markdown links of the repository's files, and whether each one resolves to a file inside
// the repository. Used by test/unit/docs-links.test.ts: a reader on GitHub must never meet a link
// that leaves the repository or leads nowhere.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';

export interface FoundLink {
  /** 1-based line of the link. */
  line: number;
  /** The link as written, e.g. `[SPEC](../shared/SPEC.md)`. */
  text: string;
  /** The target as written, without <> or a title. */
  target: string;
}

/** How a file's links are found: all of a Markdown file's prose, only the comments of code. */
export type LinkSource = 'markdown' | 'code' | 'text';

const MARKDOWN = new Set(['.md', '.markdown']);
const CODE = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs']);
const TEXT = new Set(['.json']);

/** Which files are checked, and how; undefined for files that cannot hold a Markdown link. */
export function linkSourceOf(path: string): LinkSource | undefined {
  const ext = extname(path).toLowerCase();
  if (MARKDOWN.has(ext)) return 'markdown';
  if (CODE.has(ext)) return 'code';
  if (TEXT.has(ext)) return 'text';
  return undefined;
}

// `[text](target)` or `[text](<target>)`, with an optional title; `text` may hold one level of brackets.
const INLINE_LINK = /!?\[((?:[^[\]\n]|\[[^\]\n]*\])*)\]\(\s*(<[^>\n]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+(?:"[^"\n]*"|'[^'\n]*'|\([^)\n]*\)))?\s*\)/g;
// `[label]: target` (a reference definition), at the start of a line.
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]\n]+\]:\s*(<[^>\n]*>|\S+)/;

/** Every link in `content`, read as `source` says. */
export function extractLinks(content: string, source: LinkSource): FoundLink[] {
  const found: FoundLink[] = [];
  const lines = content.split(/\r?\n/);
  let fence: string | undefined;
  lines.forEach((raw, index) => {
    let line = raw;
    if (source === 'markdown') {
      // Fenced code blocks show code, not links.
      const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
      if (fence !== undefined) {
        if (marker && marker[0] === fence[0] && marker.length >= fence.length && line.trim() === marker) fence = undefined;
        return;
      }
      if (marker) {
        fence = marker;
        return;
      }
      line = withoutCodeSpans(line);
      const definition = REFERENCE_DEFINITION.exec(line);
      if (definition) found.push({ line: index + 1, text: raw.slice(0, definition[0].length).trim(), target: unwrap(definition[1]!) });
    } else if (source === 'code') {
      // Only comments: elsewhere `handlers[kind](event)` is a call, not a link.
      line = withoutCodeSpans(commentOf(line));
    }
    // Blanking keeps every offset, so the link is quoted as written.
    for (const match of line.matchAll(INLINE_LINK)) {
      found.push({ line: index + 1, text: raw.slice(match.index, match.index + match[0].length), target: unwrap(match[2]!) });
    }
  });
  return found;
}

/** Code spans show code, not links (in Markdown, and in comments written in Markdown's manner). */
const withoutCodeSpans = (line: string) => line.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length));

const unwrap = (target: string) => (target.startsWith('<') && target.endsWith('>') ? target.slice(1, -1) : target);

/** A line of JavaScript or TypeScript with everything but its comment blanked. */
function commentOf(line: string): string {
  const trimmed = line.trimStart();
  if (trimmed.startsWith('//') || trimmed.startsWith('/*') || trimmed.startsWith('*')) return line;
  const at = line.search(/\s\/\/|\s\/\*/);
  return at === -1 ? ' '.repeat(line.length) : ' '.repeat(at) + line.slice(at);
}

/** Links to other sites, e-mail addresses and places in the same page are not files. */
export function isFileLink(target: string): boolean {
  if (target === '' || target.startsWith('#')) return false;
  // A scheme (https:, mailto:, …); a Windows drive letter is not one, but it is no relative link either.
  return !/^[a-z][a-z0-9+.-]*:/i.test(target);
}

/**
 * Why `target`, linked from `fromFile`, is not a file of the repository at `root`; undefined when
 * it is one. Symbolic links count where they lead (node_modules may point outside).
 */
export function linkProblem(root: string, fromFile: string, target: string): string | undefined {
  const path = decodeTarget(target.replace(/[?#].*$/, ''));
  if (path === '') return undefined;
  if (isAbsolute(path) || path.startsWith('/')) return 'is an absolute path: link relative to the file instead';
  const resolved = resolve(dirname(join(root, fromFile)), path);
  if (!isInside(root, resolved)) return 'leaves the repository';
  if (!existsSync(resolved)) return 'does not exist';
  if (!isInside(realpathSync(root), realpathSync(resolved))) return 'leads outside the repository through a symbolic link';
  return undefined;
}

function decodeTarget(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The repository's files (relative paths): tracked ones and new ones Git does not ignore, so that a
 * page is checked before it is committed. Without Git, a walk that skips what is never committed.
 */
export function repositoryFiles(root: string): string[] {
  try {
    const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      maxBuffer: 64 * 1024 * 1024,
    });
    // A file deleted but not yet staged is still listed: keep what is there.
    return [...new Set(listed.split('\0').filter((f) => f !== '' && existsSync(join(root, f))))].sort();
  } catch {
    return walk(root, '');
  }
}

const NEVER_COMMITTED = new Set(['node_modules', '.git', 'cdk.out', 'coverage']);

function walk(root: string, folder: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(root, folder), { withFileTypes: true })) {
    const path = folder ? `${folder}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!NEVER_COMMITTED.has(entry.name) && !entry.name.startsWith('.idgov')) files.push(...walk(root, path));
    } else if (entry.isFile()) {
      files.push(path);
    }
  }
  return files.sort();
}
