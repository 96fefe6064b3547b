import type { DataSource } from 'typeorm';
import { isMysql } from '../src/core/database';

// Statements the database server ran, from its own counters (MariaDB/MySQL's global status):
// how many reads and writes a phase of a benchmark cost it. Counts, unlike rates
// and CPU, do not move with the machine's noise. The counters are the server's, not this
// connection's: whatever else runs on that server at the time is counted too.

export interface StatementCounts {
  reads: number;
  writes: number;
}

const WRITES = ['Com_insert', 'Com_update', 'Com_delete', 'Com_replace'];

/** The server's statement counters now; null on a database without them (SQLite). */
export async function statementCounts(ds: DataSource): Promise<StatementCounts | null> {
  if (!isMysql(ds)) return null;
  const rows: Array<{ Variable_name: string; Value: string }> = await ds.query(
    `SHOW GLOBAL STATUS WHERE Variable_name IN ('Com_select', ${WRITES.map(() => '?').join(', ')})`, WRITES);
  const value = (name: string) => Number(rows.find((r) => r.Variable_name === name)?.Value ?? 0);
  return { reads: value('Com_select'), writes: WRITES.reduce((sum, name) => sum + value(name), 0) };
}
