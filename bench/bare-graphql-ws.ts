import { EventEmitter, on } from 'node:events';
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { stopChild } from './support';

// The bare baseline of the fan-out: graphql-ws as its README sets it up, over a schema of the
// inbox event's shape, in a process of its own. POST /publish?sid=… sends one event to every
// subscriber, each executed and serialised on its own (graphql-ws's default). The parent asks
// for its memory over IPC ('memory': a full GC first, then process.memoryUsage()).

const SCHEMA = buildSchema(`
  type Contact { id: ID! phoneNumber: String! firstName: String lastName: String }
  type Sender { id: ID! value: String! }
  type Message { id: ID! body: String! from: String! createdAt: String! providerSid: String }
  type Conversation { id: ID! status: String! unreadCount: Int! lastMessageAt: String contact: Contact! sender: Sender! }
  type ReplyEvent { keyword: String message: Message! conversation: Conversation! }
  type Query { ok: Boolean }
  type Subscription { replyReceived: ReplyEvent }
`);

export interface BareServer {
  url: string;
  publish(sid: string): Promise<void>;
  memory(): Promise<MemoryProbe>;
  stop(): Promise<void>;
}

export interface MemoryProbe {
  heapUsed: number;
  external: number;
  rss: number;
  subscribers: number;
}

function serve(): void {
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let subscribers = 0;
  const roots = {
    replyReceived: () => {
      subscribers += 1;
      const source = on(events, 'reply');
      return (async function* () {
        try {
          for await (const [payload] of source) yield { replyReceived: payload };
        } finally {
          subscribers -= 1;
        }
      })();
    },
  };
  const server = http.createServer((req, res) => {
    const sid = new URL(req.url ?? '/', 'http://x').searchParams.get('sid') ?? 'none';
    const now = new Date().toISOString();
    events.emit('reply', {
      keyword: null,
      message: { id: 'msg_1', body: 'one to many', from: '+14155550100', createdAt: now, providerSid: sid },
      conversation: { id: 'cnv_1', status: 'OPEN', unreadCount: 1, lastMessageAt: now, contact: { id: 'cnt_1', phoneNumber: '+14155550100', firstName: 'Ada', lastName: 'Lovelace' }, sender: { id: 'snd_1', value: '+12025557777' } },
    });
    res.end('ok');
  });
  const wsServer = new WebSocketServer({ server, path: '/graphql' });
  useServer({ schema: SCHEMA, roots: { subscription: roots } }, wsServer);
  server.listen(0, '127.0.0.1', () => process.send!({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }));
  process.on('message', (message) => {
    if (message !== 'memory') return;
    global.gc?.();
    const { heapUsed, external, rss } = process.memoryUsage();
    process.send!({ memory: { heapUsed, external, rss, subscribers } });
  });
  process.once('disconnect', () => process.exit(0));
}

export async function forkBareGraphqlWs(): Promise<BareServer> {
  const child = fork(__filename, ['--serve'], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (m: { url: string }) => resolve(m.url));
    child.once('exit', (code) => reject(new Error(`the bare graphql-ws server exited with ${code}`)));
  });
  return {
    url,
    publish: async (sid) => {
      await (await fetch(`${url}/publish?sid=${sid}`, { method: 'POST' })).text();
    },
    memory: () => askMemory(child),
    stop: () => stopChild(child),
  };
}

/** A full GC in the child, then its memory (the child answers 'memory' on its IPC channel). */
export function askMemory(child: import('node:child_process').ChildProcess): Promise<MemoryProbe> {
  return new Promise((resolve) => {
    const onMessage = (m: { memory?: MemoryProbe }) => {
      if (!m.memory) return;
      child.off('message', onMessage);
      resolve(m.memory);
    };
    child.on('message', onMessage);
    child.send('memory');
  });
}

if (require.main === module && process.argv.includes('--serve')) serve();
