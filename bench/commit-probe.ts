import { createConnection } from 'mysql2/promise';
import { percentile, round } from './support';

/**
 * A bare commit beside a scenario: one autocommitted INSERT every 10 ms on a connection of its
 * own, to the same MariaDB at the same time. Its p99 shows what the database's own commits
 * (the redo log's flush to this machine's disk) cost while the scenario ran, with none of
 * Switchboard's work in it.
 */
export interface CommitFigures { commits: number; p50Ms: number; p99Ms: number; maxMs: number }

export async function startCommitProbe(databaseUrl: string): Promise<{ stop(): Promise<CommitFigures> }> {
  const connection = await createConnection(databaseUrl);
  await connection.query('CREATE TABLE IF NOT EXISTS bench_commit_probe (id INT AUTO_INCREMENT PRIMARY KEY, at DOUBLE NOT NULL) ENGINE=InnoDB');
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const start = performance.now();
      await connection.query('INSERT INTO bench_commit_probe (at) VALUES (?)', [start]);
      latencies.push(performance.now() - start);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await connection.end();
      latencies.sort((a, b) => a - b);
      return { commits: latencies.length, p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), maxMs: round(latencies[latencies.length - 1]) };
    },
  };
}
