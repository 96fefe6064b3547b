import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { Router, type Request, type Response } from 'express';
import twilio from 'twilio';
import type { Logger } from '../core/logger';
import { segmentsOf } from '../core/segments';
import { FormPoster } from './form-poster';
import { failWith, parseFault, twilioError, type CarrierFault } from './simulator-faults';

export type { CarrierFault };

export interface SimulatorOptions {
  accountSid: string;
  authToken: string;
  /** Where the server that owns the webhooks answers (inbound replies are posted there). */
  publicUrl: string;
  /** Share of numbers (0 to 1, chosen by a hash of the number) whose messages end undelivered or failed. */
  undeliveredShare: number;
  callbackDelayMs: number;
  /** False skips the status callbacks (benchmarks of the hand-over alone). */
  statusCallbacks?: boolean;
}

export interface SimulatedMessage {
  sid: string;
  to: string;
  from: string;
  body: string;
  status: string;
  errorCode: number | null;
  createdAt: string;
}

/** Twilio's magic test numbers, answered as Twilio answers them. */
const MAGIC_TO: Record<string, { code: number; message: string }> = {
  '+15005550001': { code: 21211, message: "The 'To' number +15005550001 is not a valid phone number." },
  '+15005550002': { code: 21612, message: "The 'To' phone number is not currently reachable via SMS." },
  '+15005550003': { code: 21408, message: 'Permission to send an SMS has not been enabled for the region indicated by the \'To\' number: +15005550003.' },
  '+15005550004': { code: 21610, message: 'Attempt to send to unsubscribed recipient' },
  '+15005550009': { code: 21614, message: "'To' number is not a valid mobile number" },
};

/** The newest messages kept for look-ups; up to a tenth more between trims. */
const KEEP = 100_000;
/** Posts to the server are tried this often, 250 ms more apart each time (about 10 s in all): a restart is ridden out. */
const POST_ATTEMPTS = 9;
/** How long a post waits for the server's answer, as Twilio waits for a webhook's. */
const POST_TIMEOUT_MS = 15_000;


/**
 * The carrier simulator: a Twilio-compatible Messages.json endpoint that answers like Twilio
 * (201, an SM sid, `queued`) and then posts signed status callbacks (`sent`, then `delivered`,
 * or `undelivered`/`failed` with an ErrorCode for a share of numbers). Its /dev endpoints
 * inject signed inbound replies, make the next requests fail (5xx/429), and list what it took.
 */
export class CarrierSimulator {
  private readonly messages: SimulatedMessage[] = [];
  private readonly pending = new Map<NodeJS.Timeout, () => Promise<void>>();
  private faults: CarrierFault[] = [];
  /** Final outcomes set for numbers through /dev/outcomes, e.g. failed with 21610. */
  private readonly outcomes = new Map<string, { status: string; errorCode: number | null }>();
  private readonly poster = new FormPoster(POST_TIMEOUT_MS);

  constructor(
    private readonly options: SimulatorOptions,
    private readonly log: Logger,
  ) {}

  router(): Router {
    const router = Router();
    router.use(express.urlencoded({ extended: false, limit: '1mb' }), express.json({ limit: '1mb' }));
    router.use(this.requireBasicAuth());
    router.post('/2010-04-01/Accounts/:accountSid/Messages.json', (req, res) => this.createMessage(req, res));
    router.get('/2010-04-01/Accounts/:accountSid/Messages.json', (req, res) => this.listMessages(req, res));
    router.get('/2010-04-01/Accounts/:accountSid/Messages/:sid.json', (req, res) => {
      const found = this.messages.find((m) => m.sid === req.params.sid);
      if (!found) return twilioError(res, 404, 20404, `The requested resource /2010-04-01/Accounts/${req.params.accountSid}/Messages/${req.params.sid}.json was not found`);
      res.json(this.resource(found));
    });
    router.get('/dev/messages', (req, res) => {
      const to = typeof req.query.to === 'string' ? req.query.to : undefined;
      res.json({ messages: to ? this.messages.filter((m) => m.to === to) : this.messages });
    });
    router.post('/dev/faults', (req, res) => {
      const fault = parseFault(req.body ?? {});
      if (typeof fault === 'string') {
        res.status(400).json({ message: fault });
        return;
      }
      this.addFault(fault);
      res.json({ faults: this.faults });
    });
    router.post('/dev/outcomes', (req, res) => {
      const { to, status, errorCode } = req.body ?? {};
      if (typeof to !== 'string' || !['delivered', 'undelivered', 'failed'].includes(status) || (errorCode !== undefined && !Number.isInteger(errorCode))) {
        res.status(400).json({ message: 'to (E.164), status (delivered, undelivered or failed) and an optional whole errorCode are required' });
        return;
      }
      this.outcomes.set(to, { status, errorCode: errorCode ?? null });
      res.json({ to, status, errorCode: errorCode ?? null });
    });
    router.post('/dev/inbound', async (req, res) => {
      const { From, To, Body } = req.body ?? {};
      if (typeof From !== 'string' || typeof To !== 'string' || typeof Body !== 'string') {
        res.status(400).json({ message: 'From, To and Body are required' });
        return;
      }
      res.json(await this.injectInbound(From, To, Body));
    });
    return router;
  }

  /** Posts a signed inbound message to the server, as Twilio would on a reply. */
  async injectInbound(from: string, to: string, body: string): Promise<{ messageSid: string; status: number; response: string }> {
    const messageSid = newSid();
    const params: Record<string, string> = {
      MessageSid: messageSid, SmsMessageSid: messageSid, SmsSid: messageSid, AccountSid: this.options.accountSid,
      From: from, To: to, Body: body, NumMedia: '0', NumSegments: String(segmentsOf(body).segments), SmsStatus: 'received', ApiVersion: '2010-04-01',
    };
    const result = await this.post(`${this.options.publicUrl}/webhooks/twilio/inbound`, params);
    return { messageSid, ...result };
  }

  sent(): readonly SimulatedMessage[] {
    return this.messages;
  }

  addFault(fault: CarrierFault): void {
    this.faults.push({ ...fault });
  }

  /** Delivers every callback still waiting now, so that a stopping server records them. */
  async stop(): Promise<void> {
    const waiting = [...this.pending];
    this.pending.clear();
    for (const [timer] of waiting) clearTimeout(timer);
    await Promise.allSettled(waiting.map(([, run]) => run()));
    this.poster.close();
  }

  private createMessage(req: Request, res: Response): void {
    const fault = this.faults[0];
    if (fault && --fault.count <= 0) this.faults.shift();
    if (fault && !fault.afterCreate && !fault.delayMs) return failWith(res, fault);
    if (req.params.accountSid !== this.options.accountSid) {
      twilioError(res, 404, 20404, `The requested resource /2010-04-01/Accounts/${req.params.accountSid}/Messages.json was not found`);
      return;
    }
    const to = String(req.body?.To ?? '');
    const from = String(req.body?.From ?? '');
    const body = String(req.body?.Body ?? '');
    const statusCallback = typeof req.body?.StatusCallback === 'string' ? req.body.StatusCallback : null;
    if (!to) return twilioError(res, 400, 21604, "A 'To' phone number is required.");
    if (!from) return twilioError(res, 400, 21603, "A 'From' phone number is required.");
    if (!body) return twilioError(res, 400, 21602, 'Message body is required.');
    if ([...body].length > 1600) return twilioError(res, 400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    const magic = MAGIC_TO[to];
    if (magic) return twilioError(res, 400, magic.code, magic.message);
    if (!/^\+[1-9]\d{6,14}$/.test(to)) return twilioError(res, 400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    const record: SimulatedMessage = { sid: newSid(), to, from, body, status: 'queued', errorCode: null, createdAt: new Date().toISOString() };
    this.messages.push(record);
    // Trimmed a tenth at a time: taking one off the front at every message once past KEEP moved the whole array each time.
    if (this.messages.length > KEEP * 1.1) this.messages.splice(0, this.messages.length - KEEP);
    if (statusCallback && this.options.statusCallbacks !== false) this.scheduleCallbacks(record, statusCallback);
    if (fault?.afterCreate) return failWith(res, fault);
    const answer = () => res.status(201).json(this.resource(record));
    if (fault?.delayMs) setTimeout(answer, fault.delayMs);
    else answer();
  }

  /** Twilio's Messages list, newest first, filtered by To, From and DateSent (=, <, >). */
  private listMessages(req: Request, res: Response): void {
    const query = req.query as Record<string, string | undefined>;
    const day = (raw: string | undefined) => (raw ? Date.parse(raw) : NaN);
    const on = day(query.DateSent);
    const before = day(query['DateSent<']);
    const after = day(query['DateSent>']);
    const pageSize = Math.min(1000, Math.max(1, Number(query.PageSize ?? 50) || 50));
    const found = this.messages.filter((m) => {
      const sent = Date.parse(m.createdAt);
      return (!query.To || m.to === query.To) && (!query.From || m.from === query.From)
        && (Number.isNaN(on) || (sent >= on && sent < on + 86_400_000))
        && (Number.isNaN(before) || sent <= before) && (Number.isNaN(after) || sent >= after);
    }).reverse().slice(0, pageSize);
    const uri = `/2010-04-01/Accounts/${this.options.accountSid}/Messages.json`;
    res.json({
      messages: found.map((m) => this.resource(m)), start: 0, end: Math.max(0, found.length - 1), page: 0, page_size: pageSize,
      first_page_uri: `${uri}?PageSize=${pageSize}&Page=0`, next_page_uri: null, previous_page_uri: null, uri,
    });
  }

  private resource(record: SimulatedMessage): Record<string, unknown> {
    const created = new Date(record.createdAt).toUTCString();
    return {
      sid: record.sid, account_sid: this.options.accountSid, to: record.to, from: record.from, body: record.body, status: record.status,
      direction: 'outbound-api', num_segments: String(segmentsOf(record.body).segments), num_media: '0', api_version: '2010-04-01',
      messaging_service_sid: null, date_created: created, date_updated: created, date_sent: record.status === 'queued' ? null : created,
      price: null, price_unit: 'USD', error_code: record.errorCode, error_message: null,
      uri: `/2010-04-01/Accounts/${this.options.accountSid}/Messages/${record.sid}.json`,
      subresource_uris: { media: `/2010-04-01/Accounts/${this.options.accountSid}/Messages/${record.sid}/Media.json` },
    };
  }

  private scheduleCallbacks(record: SimulatedMessage, url: string): void {
    const outcome = this.outcomeFor(record.to);
    const callback = (status: string, errorCode: number | null) => async () => {
      record.status = status;
      record.errorCode = errorCode;
      const params: Record<string, string> = {
        AccountSid: this.options.accountSid, MessageSid: record.sid, SmsSid: record.sid, MessageStatus: status, SmsStatus: status,
        To: record.to, From: record.from, ApiVersion: '2010-04-01',
      };
      if (errorCode !== null) params.ErrorCode = String(errorCode);
      await this.post(url, params);
    };
    const sent = callback('sent', null);
    const final = callback(outcome.status, outcome.errorCode);
    // `sent` and the final status go in order: the final one is due only after `sent` was posted.
    this.later(this.options.callbackDelayMs, async () => {
      await sent();
      this.later(this.options.callbackDelayMs, final);
    }, async () => {
      await sent();
      await final();
    });
  }

  /** Runs `run` after ms; on stop, `flush` runs instead, at once. */
  private later(ms: number, run: () => Promise<void>, flush: () => Promise<void> = run): void {
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      run().catch((error) => this.log.warn({ err: error }, 'simulator: callback failed'));
    }, ms);
    this.pending.set(timer, flush);
  }

  private outcomeFor(to: string): { status: string; errorCode: number | null } {
    const set = this.outcomes.get(to);
    if (set) return set;
    const hash = createHash('sha1').update(to).digest();
    const share = hash.readUInt32BE(0) / 0x1_0000_0000;
    if (share >= this.options.undeliveredShare) return { status: 'delivered', errorCode: null };
    return hash[4] % 2 === 0 ? { status: 'undelivered', errorCode: 30003 } : { status: 'failed', errorCode: 30005 };
  }

  private async post(url: string, params: Record<string, string>): Promise<{ status: number; response: string }> {
    const signature = twilio.getExpectedTwilioSignature(this.options.authToken, url, params);
    for (let attempt = 1; ; attempt++) {
      try {
        const answer = await this.poster.post(url, params, { 'x-twilio-signature': signature });
        if (answer.status < 500 || attempt >= POST_ATTEMPTS) return answer;
      } catch (error) {
        if (attempt >= POST_ATTEMPTS) {
          this.log.warn({ err: error, url }, 'simulator: could not reach the webhook');
          return { status: 0, response: String(error) };
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
  }

  private requireBasicAuth() {
    const expected = 'Basic ' + Buffer.from(`${this.options.accountSid}:${this.options.authToken}`).toString('base64');
    return (req: Request, res: Response, next: () => void) => {
      if (req.header('authorization') === expected) return next();
      res.setHeader('WWW-Authenticate', 'Basic realm="Twilio API"');
      twilioError(res, 401, 20003, 'Authenticate');
    };
  }
}

export interface ServedSimulator {
  simulator: CarrierSimulator;
  /** What TWILIO_API_BASE_URL points at to send through it. */
  url: string;
  /** Delivers the callbacks still waiting, then stops listening. */
  close(): Promise<void>;
}

/** The simulator alone on a port of its own (0: any free one), as Twilio is: outside the server, outliving its restarts. */
export async function serveSimulator(options: SimulatorOptions, log: Logger, port = 0, host = '127.0.0.1'): Promise<ServedSimulator> {
  const simulator = new CarrierSimulator(options, log);
  const app = express();
  app.use('/', simulator.router());
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    simulator,
    url: `http://${host}:${bound}`,
    close: async () => {
      await simulator.stop();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function newSid(): string {
  return 'SM' + randomBytes(16).toString('hex');
}
