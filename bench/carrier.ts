import { fork } from 'node:child_process';
import { serveSimulator } from '../src/carrier/simulator';
import { SIMULATOR_ACCOUNT_SID, SIMULATOR_AUTH_TOKEN } from '../src/config';
import { createLogger } from '../src/core/logger';
import { stopChild } from './support';

// The carrier simulator in a process of its own, as Twilio is to a deployed server: the server
// and the carrier each get a core instead of sharing one event loop. The child answers on a port
// it picks and tells the parent its URL over IPC.

export interface CarrierProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function forkCarrier(options: { statusCallbacks: boolean; publicUrl?: string }): Promise<CarrierProcess> {
  const child = fork(__filename, ['--serve'], {
    env: { ...process.env, CARRIER_STATUS_CALLBACKS: options.statusCallbacks ? 'on' : 'off', CARRIER_PUBLIC_URL: options.publicUrl ?? 'http://127.0.0.1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message: { url: string }) => resolve(message.url));
    child.once('exit', (code) => reject(new Error(`the carrier process exited with ${code} before it listened`)));
  });
  return { url, pid: child.pid!, stop: () => stopChild(child) };
}

if (require.main === module && process.argv.includes('--serve')) {
  serveSimulator({
    accountSid: SIMULATOR_ACCOUNT_SID,
    authToken: SIMULATOR_AUTH_TOKEN,
    publicUrl: process.env.CARRIER_PUBLIC_URL ?? 'http://127.0.0.1',
    undeliveredShare: 0,
    callbackDelayMs: 200,
    statusCallbacks: process.env.CARRIER_STATUS_CALLBACKS !== 'off',
  }, createLogger('silent')).then((served) => {
    const stop = () => served.close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    // The parent gone (crashed or killed) means nobody sends here any more.
    process.once('disconnect', stop);
    process.send!({ url: served.url });
  }, (error) => {
    console.error(error);
    process.exit(1);
  });
}
