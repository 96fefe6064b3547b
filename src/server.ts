import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import { GraphQLError, specifiedRules, validate, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { DataSource } from 'typeorm';
import { WebSocketServer, type WebSocket } from 'ws';
import { KEY_REVOKED_TOPIC } from './accounts/api-key.service';
import { OperatorToken } from './accounts/operator-token';
import type { Config } from './config';
import type { Context, Principal } from './core/auth';
import { createDataSource } from './core/database';
import { depthLimit } from './core/depth-limit';
import { Loaders } from './core/loaders';
import { sharedSubscribe } from './core/shared-subscriptions';
import { createLogger, type Logger } from './core/logger';
import { Metrics, subscriptionMetrics } from './core/metrics';
import { createEventBus } from './core/pubsub';
import { entities } from './entities';
import { buildGraphQLSchema } from './schema';
import { createServices, type Services } from './services';
import { createTwilioWebhookRouter } from './webhooks/twilio-webhooks';
import { createInboxRouter } from './inbox/inbox.router';
import { CarrierSimulator } from './carrier/simulator';
import { migrations } from '../migrations';

export const MAX_QUERY_DEPTH = 12;
export const MAX_BODY = '5mb';

export interface RunningServer {
  url: string;
  port: number;
  httpServer: Server;
  services: Services;
  schema: GraphQLSchema;
  /** Set only on the start that made a new admin token. */
  generatedAdminToken?: string;
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Collect process-wide default metrics; off in tests that start several servers. */
  defaultMetrics?: boolean;
}

export async function openDatabase(config: Config): Promise<DataSource> {
  const dataSource = createDataSource(config.database, entities, migrations);
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.logger ?? createLogger(config.logLevel);
  const dataSource = await openDatabase(config);
  const { token: operatorToken, generated } = await OperatorToken.load(dataSource, config.adminToken);
  const events = createEventBus(config.redisUrl, config.redisPrefix);
  const metrics = new Metrics(options.defaultMetrics ?? true);
  const services = createServices(dataSource, config, events, log, metrics);
  const schema = await buildGraphQLSchema(services);

  const authenticate = async (header: unknown): Promise<Principal | null> => {
    if (typeof header !== 'string') return null;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) return null;
    const secret = match[1];
    if (operatorToken.matches(secret)) return { kind: 'operator' };
    const found = await services.apiKeys.authenticate(secret);
    if (!found) return null;
    return { kind: 'account', accountId: found.account.id, parentId: found.account.parentId, apiKeyId: found.apiKey.id };
  };

  const app = express();
  app.disable('x-powered-by');
  app.use(metrics.middleware());
  const httpServer = createServer(app);

  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql' });
  const socketsByKey = new Map<number, Set<WebSocket>>();
  const revocations = events.pubsub.subscribe(KEY_REVOKED_TOPIC, 'all');
  void (async () => {
    for await (const payload of revocations) {
      const { apiKeyId } = payload as { apiKeyId: number };
      for (const socket of socketsByKey.get(apiKeyId) ?? []) socket.close(4403, 'Forbidden: API key revoked');
    }
  })();
  const wsCleanup = useServer<Record<string, unknown>, { principal?: Principal }>(
    {
      schema,
      validate: (schema, document) => validate(schema, document, [...specifiedRules, depthLimit(MAX_QUERY_DEPTH)]),
      onConnect: async (ctx) => {
        const principal = await authenticate(ctx.connectionParams?.authorization);
        if (!principal) return false;
        ctx.extra.principal = principal;
        if (principal.kind === 'account') {
          const sockets = socketsByKey.get(principal.apiKeyId) ?? new Set<WebSocket>();
          socketsByKey.set(principal.apiKeyId, sockets.add(ctx.extra.socket));
          ctx.extra.socket.once('close', () => {
            sockets.delete(ctx.extra.socket);
            if (!sockets.size) socketsByKey.delete(principal.apiKeyId);
          });
        }
        return true;
      },
      context: (ctx): Context => ({ principal: ctx.extra.principal ?? null, loaders: new Loaders(false) }),
      ...subscriptionMetrics(metrics),
      // Subscribers of one account with one document share each event's result (see shared-subscriptions.ts).
      subscribe: sharedSubscribe((context) => {
        const principal = (context as Context).principal;
        return !principal ? null : principal.kind === 'operator' ? 'operator' : `account:${principal.accountId}`;
      }),
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    validationRules: [depthLimit(MAX_QUERY_DEPTH)],
    introspection: true,
    // main.ts owns the signals: Apollo's own handler would re-raise SIGTERM and skip our shutdown.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => formatGraphQLError(formatted, error, log),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      operationMetrics(metrics),
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const database = await dataSource.query('SELECT 1').then(() => true, () => false);
    const redis = await events.ping();
    res.status(database && redis ? 200 : 503).json({ database, redis: config.redisUrl ? redis : 'not configured' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use('/webhooks/twilio', createTwilioWebhookRouter(services));
  app.use('/inbox', createInboxRouter());
  // Without Twilio credentials the built-in carrier simulator takes the messages (TWILIO_API_BASE_URL points here).
  const simulator = config.twilio.simulated
    ? new CarrierSimulator({ accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, publicUrl: config.publicUrl, ...config.simulator }, log)
    : null;
  if (simulator) app.use('/carrier', simulator.router());
  app.use(
    '/graphql',
    express.json({ limit: MAX_BODY }),
    expressMiddleware(apollo, { context: async ({ req }) => ({ principal: await authenticate(req.headers.authorization), loaders: new Loaders() }) }),
  );
  app.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (error.type === 'entity.too.large') {
      res.status(413).json({ errors: [{ message: `request body exceeds the limit of ${MAX_BODY}`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
      return;
    }
    if (error.status && error.status >= 400 && error.status < 500) {
      res.status(error.status).json({ errors: [{ message: error.message, extensions: { code: 'BAD_REQUEST' } }] });
      return;
    }
    log.error({ err: error }, 'unhandled request error');
    res.status(500).json({ errors: [{ message: 'internal error' }] });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.port, config.host, () => resolve());
  });
  const port = (httpServer.address() as AddressInfo).port;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${host}:${port}`;
  log.info({ url, database: config.database.type, simulated: config.twilio.simulated }, 'switchboard listening');
  if (config.startWorkers) {
    await services.dispatcher.start();
    services.campaignWorker.start();
  }

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // Workers stop first: hand-overs in flight finish and are recorded while the server still answers.
      await services.dispatcher.stop();
      await simulator?.stop();
      await services.campaignWorker.stop();
      await services.campaigns.drain();
      await services.campaignProgress.stop();
      // Apollo's drain stops accepting, waits for in-flight requests and closes the sockets.
      await apollo.stop();
      await revocations.return();
      wsServer.close();
      await events.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      log.info('switchboard stopped');
    })();
    return closing;
  };

  return { url, port, httpServer, services, schema, generatedAdminToken: generated, close };
}

function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown, log: Logger): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (code && code !== 'INTERNAL_SERVER_ERROR') return formatted;
  const original = error instanceof GraphQLError ? error.originalError ?? error : error;
  log.error({ err: original, path: formatted.path }, 'resolver failed');
  return { message: 'internal error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

function operationMetrics(metrics: Metrics): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, errors }) {
          metrics.graphqlOperations.inc({ operation: operation?.operation ?? 'unknown', outcome: errors?.length ? 'error' : 'ok' });
        },
      };
    },
  };
}
