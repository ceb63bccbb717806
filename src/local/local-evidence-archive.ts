// The evidence archive of the local runtime: `$IDGOV_HOME/evidence/<campaignId>/<runId>/<file>`, the
// same layout as the reports bucket's keys. A file is never replaced: it is written to a temporary
// file, flushed, and linked under its name (link(2) fails if the name exists), so a write killed
// half-way never leaves a partial file under the final name, and of two writers one wins.
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { archiveKey } from '../../lambdas/shared/domain/evidence/manifest.js';
import type { EvidenceArchive, EvidenceFile } from '../../lambdas/shared/use-cases/ports.js';

export class LocalEvidenceArchive implements EvidenceArchive {
  /** `root` is $IDGOV_HOME: packs land under `root/evidence/` (their prefix starts with `evidence/`). */
  constructor(readonly root: string) {}

  async putIfAbsent(prefix: string, file: EvidenceFile): Promise<boolean> {
    const path = this.pathOf(prefix, file.name);
    const folder = dirname(path);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    await removeLeftovers(folder, file.name);
    if (await exists(path)) return false;
    const temporary = join(folder, `.${file.name}.${process.pid}.${randomUUID()}.tmp`);
    // Exclusive create (wx); read-only once written: the archive never changes a stored file.
    const handle = await open(temporary, 'wx', 0o444);
    try {
      await handle.writeFile(file.content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temporary, path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    } finally {
      await rm(temporary, { force: true });
    }
  }

  async get(prefix: string, name: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(this.pathOf(prefix, name)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  describe(prefix: string): string {
    return `${join(this.root, ...prefix.split('/'))}${sep}`;
  }

  private pathOf(prefix: string, name: string): string {
    return join(this.root, ...archiveKey(prefix, name).split('/'));
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Temporary files of `name` that a killed write left behind (never under the final name): those of
 * processes that have ended. A live process's, this one's included, may be a write in flight.
 */
async function removeLeftovers(folder: string, name: string): Promise<void> {
  const stale = (await readdir(folder)).filter((entry) => {
    if (!entry.startsWith(`.${name}.`) || !entry.endsWith('.tmp')) return false;
    const pid = Number(entry.slice(name.length + 2).split('.')[0]);
    return Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isRunning(pid);
  });
  await Promise.all(stale.map((entry) => rm(join(folder, entry), { force: true })));
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
