import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

// CPU time of other processes on this machine (the carrier's, the database server's), read from
// /proc, so that a benchmark whose parts share the cores can say where each message's CPU went.
// Linux only; elsewhere, or for a process we may not read, the answer is null.

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  return ticksPerSecond;
}

/** User + system CPU of `pid` so far, in microseconds; null when it cannot be read. */
export function processCpuMicros(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    // Fields after the command's closing parenthesis: state is the 3rd field, utime the 14th, stime the 15th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicks();
  } catch {
    return null;
  }
}

/** The local MariaDB/MySQL server's pid, when it runs on this machine. */
export function localDatabasePid(): number | null {
  for (const name of ['mariadbd', 'mysqld']) {
    try {
      const pid = Number(execFileSync('pgrep', ['-x', '-o', name]).toString().trim());
      if (pid) return pid;
    } catch {
      // not running under this name
    }
  }
  return null;
}

/** CPU used by each of `pids` while `work` runs, in microseconds (null where unreadable). */
export async function cpuDuring<T, K extends string>(pids: Record<K, number | null>, work: () => Promise<T>): Promise<{ result: T; cpu: Record<K, number | null> }> {
  const before = Object.fromEntries(Object.entries<number | null>(pids).map(([k, pid]) => [k, processCpuMicros(pid)]));
  const result = await work();
  const cpu = Object.fromEntries(Object.entries<number | null>(pids).map(([k, pid]) => {
    const start = before[k];
    const end = processCpuMicros(pid);
    return [k, start === null || end === null ? null : end - start];
  })) as Record<K, number | null>;
  return { result, cpu };
}
