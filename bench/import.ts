import 'reflect-metadata';
import { startBenchServer } from './campaign-world';
import { postGraphQL, runBench } from './support';

// importContacts of 100,000 rows in calls of 10,000, over HTTP into the real server on a fresh
// MariaDB database: the first pass creates and subscribes, the second updates the same contacts.

const TOTAL = 100_000;
const PER_CALL = 10_000;

/** Mixed formats and countries, as a real export would have them. */
function row(i: number, pass: number): Record<string, unknown> {
  const n = String(i).padStart(6, '0');
  const formats = [
    () => ({ phoneNumber: `+1 (415) 5${n.slice(0, 2)}-${n.slice(2)}` }),
    () => ({ phoneNumber: `0740 0${n}`, defaultCountry: 'GB' }),
    () => ({ phoneNumber: `+49 151 ${n}01` }),
    () => ({ phoneNumber: `06 ${n.slice(0, 2)} ${n.slice(2, 4)} ${n.slice(4)} 00`, defaultCountry: 'FR' }),
    () => ({ phoneNumber: `212-5${n.slice(0, 2)}-${n.slice(2)}` }),
  ];
  return { ...formats[i % formats.length](), firstName: `First${i}`, lastName: pass ? `Updated${i}` : `Last${i}`, attributes: { customerId: i, tier: i % 3 ? 'silver' : 'gold' } };
}

export async function runImportBench(): Promise<Record<string, unknown>> {
  const { server, admin, close } = await startBenchServer({ workers: false });
  try {
    const { createAccount } = await admin(`mutation { createAccount(input: { name: "Bench", homeCountry: "US" }) { account { id } apiKey { secret } } }`);
    const key: string = createAccount.apiKey.secret;
    const gql = (query: string, variables: Record<string, unknown>) => postGraphQL(server.url, query, variables, key);
    const { createSubscriptionGroup } = await gql(`mutation { createSubscriptionGroup(input: { name: "bench" }) { id } }`, {});
    const passes = [];
    for (const pass of [0, 1]) {
      const totals = { created: 0, updated: 0, subscribed: 0, rejected: 0 };
      const callMs: number[] = [];
      const start = performance.now();
      for (let offset = 0; offset < TOTAL; offset += PER_CALL) {
        const contacts = Array.from({ length: PER_CALL }, (_, i) => row(offset + i, pass));
        const callStart = performance.now();
        const { importContacts } = await gql(
          `mutation($g: ID!, $c: [ContactInput!]!) { importContacts(groupId: $g, contacts: $c) { created updated subscribed rejected { index } } }`,
          { g: createSubscriptionGroup.id, c: contacts },
        );
        callMs.push(performance.now() - callStart);
        totals.created += importContacts.created;
        totals.updated += importContacts.updated;
        totals.subscribed += importContacts.subscribed;
        totals.rejected += importContacts.rejected.length;
      }
      const ms = performance.now() - start;
      passes.push({ pass: pass ? 'update' : 'create', ms: Math.round(ms), rowsPerSecond: Math.round(TOTAL / (ms / 1000)), slowestCallMs: Math.round(Math.max(...callMs)), ...totals });
    }
    return {
      scenario: 'import',
      database: 'mariadb',
      rows: TOTAL,
      rowsPerCall: PER_CALL,
      rowsPerSecond: passes[0].rowsPerSecond,
      passes,
      node: process.version,
      at: new Date().toISOString(),
    };
  } finally {
    await close();
  }
}

if (require.main === module) {
  runBench('import', runImportBench, (result) => {
    const [create, update] = result.passes as Array<{ rowsPerSecond: number; ms: number }>;
    return `import: ${result.rows} rows in calls of ${result.rowsPerCall} on MariaDB: ${create.rowsPerSecond} rows/s creating (${create.ms} ms), ${update.rowsPerSecond} rows/s updating (${update.ms} ms)`;
  });
}
