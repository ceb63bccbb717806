// The embedded engine (dynalite) in a process of its own, for a benchmark that measures its own
// process's memory: the engine's tables must not count as the controller's. Started by
// `startEngineProcess`; prints `{"endpoint": "http://127.0.0.1:<port>"}` on its first line, and stops
// when its standard input closes (so it never outlives the benchmark) or on SIGTERM. With a folder
// argument the tables live in LevelDB there (off the JavaScript heap: a million items fit), else in memory.
// Not product code.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startEmbeddedEngine } from '../../src/local/engine.js';

export interface EngineProcess {
  endpoint: string;
  pid: number;
  /** The engine process's peak resident set (Linux VmHWM), when the system says. */
  peakRssMb(): number | undefined;
  stop(): Promise<void>;
}

/** Starts this file as a child process (through tsx) and waits for its endpoint. */
export async function startEngineProcess(options: { path?: string } = {}): Promise<EngineProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), ...(options.path ? [options.path] : [])], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the engine process ended (code ${code}) before it served`)));
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n')) resolve((JSON.parse(line!) as { endpoint: string }).endpoint);
    });
  });
  child.removeAllListeners('exit');
  const pid = child.pid!;
  return {
    endpoint,
    pid,
    peakRssMb: () => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return hwm ? Math.round(Number(hwm[1]) / 1024) : undefined;
      } catch {
        return undefined;
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin!.end();
      }),
  };
}

async function serve(path: string | undefined): Promise<void> {
  const engine = await startEmbeddedEngine(path ? { path } : {});
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void engine.stop().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.stdout.write(`${JSON.stringify({ endpoint: engine.endpoint })}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  serve(process.argv[2]).catch((error: unknown) => {
    process.stderr.write(`engine process failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
