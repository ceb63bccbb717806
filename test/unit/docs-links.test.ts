// Every relative link in the repository's Markdown files, and in the comments of its source files,
// leads to a file inside the repository: no dead link, and no link to anything outside it.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../support/cli.js';
import { extractLinks, isFileLink, linkProblem, linkSourceOf, repositoryFiles } from '../support/markdown-links.js';

describe('every relative link in the repository', () => {
  const files = repositoryFiles(PROJECT_ROOT);
  const checked = files.filter((file) => linkSourceOf(file) !== undefined);
  const links = checked.flatMap((file) =>
    extractLinks(readFileSync(join(PROJECT_ROOT, file), 'utf8'), linkSourceOf(file)!)
      .filter((link) => isFileLink(link.target))
      .map((link) => ({ file, ...link })),
  );

  it('walks the Markdown and source files (so that an empty walk cannot pass)', () => {
    expect(checked).toEqual(expect.arrayContaining(['README.md', 'docs/reference/README.md', 'docs/hooks/README.md', 'lambdas/shared/domain/model.ts']));
    expect(links.filter((l) => l.file === 'README.md').map((l) => l.target)).toContain('docs/reference/README.md');
    expect(links.length).toBeGreaterThan(30);
  });

  it('leads to a file or folder inside the repository', () => {
    const problems = links.flatMap((link) => {
      const problem = linkProblem(PROJECT_ROOT, link.file, link.target);
      return problem ? [`${link.file}:${link.line}: ${link.text} ${problem}`] : [];
    });
    expect(problems).toEqual([]);
  });

  // Not only links: a comment that cites a document kept outside the repository sends its reader
  // nowhere. This file and the link checker's own examples are the exceptions.
  it('names no document kept outside the repository, even in plain text', () => {
    const outside = /\b(SPEC|STYLE|TOOLCHAIN|DEVELOPERS)\.md\b|\bSPEC \d/;
    const exempt = new Set(['test/unit/docs-links.test.ts', 'test/support/markdown-links.ts']);
    const mentions = checked
      .filter((file) => !exempt.has(file))
      .flatMap((file) =>
        readFileSync(join(PROJECT_ROOT, file), 'utf8')
          .split('\n')
          .flatMap((line, index) => (outside.test(line) ? [`${file}:${index + 1}: ${line.trim()}`] : [])),
      );
    expect(mentions).toEqual([]);
  });
});

describe('extractLinks', () => {
  it('finds inline links, images, titles, <targets> and reference definitions in Markdown', () => {
    const md = [
      'See [the reference](docs/reference/README.md) and ![a chart](img/chart.png "Progress").',
      'Angle brackets: [spaced](<docs/a file.md>), nested [[x] y](z.md).',
      '[spec]: ../shared/SPEC.md',
    ].join('\n');
    expect(extractLinks(md, 'markdown').map((l) => [l.line, l.target])).toEqual([
      [1, 'docs/reference/README.md'],
      [1, 'img/chart.png'],
      [2, 'docs/a file.md'],
      [2, 'z.md'],
      [3, '../shared/SPEC.md'],
    ]);
  });

  it('skips code blocks and code spans in Markdown', () => {
    const md = ['```json', '[not](a-link.md)', '```', 'Inline `[not](either.md)` but [yes](yes.md).', '~~~', '[no](no.md)', '~~~'].join('\n');
    expect(extractLinks(md, 'markdown').map((l) => [l.line, l.text])).toEqual([[4, '[yes](yes.md)']]);
    // A link whose text is code is still a link, quoted as written.
    expect(extractLinks('Reference: [`../shared/SPEC.md`](../shared/SPEC.md).', 'markdown').map((l) => l.text)).toEqual([
      '[`../shared/SPEC.md`](../shared/SPEC.md)',
    ]);
  });

  it('reads only the comments of source code, where a call is not a link', () => {
    const code = [
      'const answer = handlers[kind](event);',
      '// Contracts: [hooks](../../docs/hooks/README.md)',
      ' * see [the reference](../../docs/reference/campaigns.md)',
      // Built so that this file's own source holds no such comment.
      "const url = 'http://example.com'; " + '/'.repeat(2) + ' and [one more](x.md), not `[code](span.md)`',
    ].join('\n');
    expect(extractLinks(code, 'code').map((l) => [l.line, l.target])).toEqual([
      [2, '../../docs/hooks/README.md'],
      [3, '../../docs/reference/campaigns.md'],
      [4, 'x.md'],
    ]);
  });
});

describe('isFileLink', () => {
  it.each([
    ['https://github.com/x/y', false],
    ['http://127.0.0.1:8787/tasks', false],
    ['mailto:someone@example.com', false],
    ['#the-lifecycle', false],
    ['', false],
    ['docs/reference/README.md', true],
    ['../shared/SPEC.md', true],
    ['cli.md#campaign', true],
  ])('%s → %s', (target, expected) => {
    expect(isFileLink(target)).toBe(expected);
  });
});

describe('linkProblem', () => {
  const outside = mkdtempSync(join(tmpdir(), 'idgov-links-outside-'));
  const root = mkdtempSync(join(tmpdir(), 'idgov-links-repo-'));
  mkdirSync(join(root, 'docs/reference'), { recursive: true });
  writeFileSync(join(root, 'README.md'), '# readme\n');
  writeFileSync(join(root, 'docs/reference/README.md'), '# reference\n');
  writeFileSync(join(root, 'docs/a file.md'), '# spaced\n');
  writeFileSync(join(outside, 'SPEC.md'), '# outside\n');
  symlinkSync(outside, join(root, 'linked'));
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('accepts files and folders inside, with anchors, queries and encoded names', () => {
    expect(linkProblem(root, 'README.md', 'docs/reference/README.md')).toBeUndefined();
    expect(linkProblem(root, 'README.md', 'docs/reference/')).toBeUndefined();
    expect(linkProblem(root, 'docs/reference/README.md', '../../README.md#quick-start')).toBeUndefined();
    expect(linkProblem(root, 'README.md', 'docs/a%20file.md?plain=1')).toBeUndefined();
  });

  it('refuses a link that leaves the repository, even to a file that exists', () => {
    const name = outside.split('/').pop()!;
    expect(linkProblem(root, 'README.md', `../${name}/SPEC.md`)).toBe('leaves the repository');
    expect(linkProblem(root, 'docs/reference/README.md', '../../../shared/SPEC.md')).toBe('leaves the repository');
    expect(linkProblem(root, 'README.md', join(outside, 'SPEC.md'))).toMatch(/absolute path/);
    expect(linkProblem(root, 'README.md', 'linked/SPEC.md')).toMatch(/symbolic link/);
  });

  it('refuses a link to a file that does not exist', () => {
    expect(linkProblem(root, 'README.md', 'docs/deploy.md')).toBe('does not exist');
    expect(linkProblem(root, 'docs/reference/README.md', 'cli.md#campaign')).toBe('does not exist');
  });
});
