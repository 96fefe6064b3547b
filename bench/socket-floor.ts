import { fork } from 'node:child_process';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

// The physical floor of a fan-out on this machine: the same bytes written once to each of `count`
// connected loopback sockets (plain TCP, no WebSocket framing, no GraphQL), timed until a reader
// in another process has them all. A socket write is one system call, which this kind of machine
// makes expensive; no server can deliver to `count` sockets in less.

const ROUNDS = 20;

async function reader(port: number, count: number): Promise<void> {
  let got = 0;
  let open = 0;
  for (let i = 0; i < count; i++) {
    const socket = net.connect(port, '127.0.0.1', () => {
      if (++open === count) process.send!('ready');
    });
    socket.on('data', () => {
      if (++got % count === 0) process.send!('all');
    });
  }
}

/** Median over ROUNDS of: writing `bytes` to `count` sockets, and until all of them were read. */
export async function socketFloor(count: number, bytes: number): Promise<{ writeMs: number; receivedMs: number }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    sockets.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const child = fork(__filename, ['--reader', String((server.address() as AddressInfo).port), String(count)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    await new Promise((resolve) => child.once('message', resolve));
    while (sockets.length < count) await new Promise((resolve) => setTimeout(resolve, 10));
    const payload = Buffer.alloc(bytes, 'a');
    const rounds: Array<{ writeMs: number; receivedMs: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      const received = new Promise((resolve) => child.once('message', resolve));
      const start = performance.now();
      for (const socket of sockets) socket.write(payload);
      const writeMs = performance.now() - start;
      await received;
      rounds.push({ writeMs, receivedMs: performance.now() - start });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    rounds.sort((a, b) => a.receivedMs - b.receivedMs);
    const median = rounds[Math.floor(ROUNDS / 2)];
    return { writeMs: Math.round(median.writeMs * 100) / 100, receivedMs: Math.round(median.receivedMs * 100) / 100 };
  } finally {
    child.kill();
    for (const socket of sockets) socket.destroy();
    server.close();
  }
}

if (require.main === module && process.argv[2] === '--reader') {
  void reader(Number(process.argv[3]), Number(process.argv[4]));
}
