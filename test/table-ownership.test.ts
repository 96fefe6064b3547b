import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

// scripts/check-table-ownership.mjs holds STYLE.md's rule that each domain's tables are touched
// only by that domain's repositories. It runs before every `npm test`; these cases prove it
// catches each way of breaking the rule (and does not cry wolf), and that the tree keeps it.

const CHECKER = join(__dirname, '..', 'scripts', 'check-table-ownership.mjs');

const ENTITIES: Record<string, string> = {
  'src/contacts/contact.entity.ts': "@Entity('contacts')\nexport class Contact {}\n",
  'src/messaging/message.entity.ts': "@Entity('messages')\n@Index(['status'])\nexport class Message {}\n",
};

function check(files: Record<string, string>): { status: number | null; output: string } {
  const root = mkdtempSync(join(tmpdir(), 'ownership-'));
  try {
    for (const [path, text] of Object.entries({ ...ENTITIES, ...files })) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    const run = spawnSync(process.execPath, [CHECKER], { cwd: root, encoding: 'utf8' });
    return { status: run.status, output: run.stdout + run.stderr };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('the table-ownership check', () => {
  it.each([
    ['a service reading its own table directly', 'src/contacts/contact.service.ts', 'const rows = this.dataSource.getRepository(Contact).find();', 'outside a repository'],
    ['a service with raw SQL', 'src/contacts/contact.service.ts', "await this.dataSource.query('SELECT 1 FROM contacts');", 'outside a repository'],
    ['a service using a transaction\'s manager', 'src/contacts/contact.service.ts', 'await manager.insert(Contact, row);', 'outside a repository'],
    ['a repository using another domain\'s entity', 'src/campaigns/launch.repository.ts', 'const rows = await this.dataSource.getRepository(Contact).find();', 'Contact, a table of contacts'],
    ['a repository whose SQL joins another domain\'s table', 'src/compliance/ledger.repository.ts', 'const sql = `SELECT contact_id FROM messages m WHERE m.direction = ?`;', 'messages, a table of messaging'],
    ['a repository writing into another domain\'s table', 'src/conversations/inbound.repository.ts', "const sql = 'INSERT INTO messages (body) VALUES (?)';", 'messages, a table of messaging'],
    ['a repository updating another domain\'s table', 'src/campaigns/counters.repository.ts', "const sql = 'UPDATE `messages` SET status = ?';", 'messages, a table of messaging'],
  ])('refuses %s', (_case, path, line, complaint) => {
    const { status, output } = check({ [path]: `${line}\n` });
    expect(status).toBe(1);
    expect(output).toContain(`${path}:1`);
    expect(output).toContain(complaint);
  });

  it.each([
    ['a repository on its own tables', 'src/messaging/message.repository.ts', "const rows = await this.dataSource.query('SELECT id FROM messages WHERE status = ?', [s]);"],
    ['a comment naming another domain\'s table', 'src/messaging/message.repository.ts', '// counted like FROM contacts, but not read here'],
    ['a service that opens a transaction and hands it on', 'src/contacts/contact.service.ts', 'await this.dataSource.transaction((m) => this.contacts.add(m, row));'],
    ['a word that only looks like a table', 'src/messaging/message.repository.ts', "const text = 'updated from contacts_view';"],
  ])('lets pass %s', (_case, path, line) => {
    const { status, output } = check({ [path]: `${line}\n` });
    expect(output).not.toContain('breach');
    expect(status).toBe(0);
  });

  it('finds no breach in this repository', () => {
    const run = spawnSync(process.execPath, [CHECKER], { cwd: join(__dirname, '..'), encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
