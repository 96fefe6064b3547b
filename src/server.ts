import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type NextFunction, type Request, type Response } from 'express';
import { GraphQLError, parse, specifiedRules, validate, type ExecutionArgs, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { DataSource } from 'typeorm';
import { WebSocketServer, type WebSocket } from 'ws';
import { KEY_REVOKED_TOPIC } from './accounts/api-key.service';
import { Authenticator, type Authentication } from './accounts/authenticator';
import { OperatorToken } from './accounts/operator-token';
import type { Config } from './config';
import type { Context, Principal } from './core/auth';
import { createDataSource, loadDialect } from './core/database';
import { takeTurnsOnSqlite } from './core/sqlite-turns';
import { budgetErrorsOnce, ExecutionBudget } from './core/execution-budget';
import { loadIdSecret } from './core/id-secret';
import { useIdSecret } from './core/ids';
import { LiveFanOut } from './core/live-fan-out';
import { createLogger, type Logger } from './core/logger';
import { Metrics, subscriptionMetrics } from './core/metrics';
import { databaseAnswers, databaseOutagePlugin, serviceUnavailable } from './core/outage';
import { createEventBus } from './core/pubsub';
import { costRefusal, limitRefusals, queryCostPlugin, queryLimitExtensions, queryLimitRules, refuseOverLimits } from './core/query-limits';
import { entities } from './entities';
import { buildGraphQLSchema } from './schema';
import { Loaders } from './loaders';
import { createServices, type Services } from './services';
import { createTwilioWebhookRouter } from './webhooks/twilio-webhooks';
import { createInboxRouter } from './inbox/inbox.router';
import { CarrierSimulator } from './carrier/simulator';
import { migrations } from '../migrations';
import { DomainError, toGraphQLError } from './core/errors';

/** The largest request: an HTTP body, or one WebSocket frame (a subscribe's variables are bounded by it too). */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

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
  await loadDialect(dataSource);
  await dataSource.runMigrations({ transaction: 'each' });
  takeTurnsOnSqlite(dataSource);
  return dataSource;
}

export async function startServer(config: Config, options: StartOptions = {}): Promise<RunningServer> {
  const log = options.logger ?? createLogger(config.logLevel);
  const dataSource = await openDatabase(config);
  const { token: operatorToken, generated } = await OperatorToken.load(dataSource, config.adminToken);
  const releaseIdSecret = useIdSecret(await loadIdSecret(dataSource, config.idSecret));
  const events = createEventBus(config.redisUrl, config.redisPrefix);
  const metrics = new Metrics(options.defaultMetrics ?? true);
  const services = createServices(dataSource, config, events, log, metrics);
  const schema = await buildGraphQLSchema(services);

  const authenticator = new Authenticator(operatorToken, services.apiKeys, config.failedAuth, log, events.redis ? { client: events.redis, prefix: config.redisPrefix } : undefined);

  const app = express();
  app.disable('x-powered-by');
  app.use(metrics.middleware());
  const httpServer = createServer(app);

  const wsServer = new WebSocketServer({ server: httpServer, path: '/graphql', maxPayload: MAX_BODY_BYTES });
  // Subscribers of one account with one document share each event's result and its bytes (see live-fan-out.ts).
  const fanOut = new LiveFanOut({
    visibilityOf: (context) => {
      const principal = (context as Context).principal;
      return !principal ? null : principal.kind === 'operator' ? 'operator' : `account:${principal.accountId}`;
    },
    // Domain errors reach subscribers as they reach HTTP clients (see formatGraphQLError).
    formatError: toGraphQLError,
    maxBufferedBytes: config.liveEvents.maxBufferedBytes,
  });
  const socketsByKey = new Map<number, Set<WebSocket>>();
  const revocations = events.pubsub.subscribe(KEY_REVOKED_TOPIC, 'all');
  void (async () => {
    for await (const payload of revocations) {
      const { apiKeyId } = payload as { apiKeyId: number };
      for (const socket of socketsByKey.get(apiKeyId) ?? []) socket.close(4403, 'Forbidden: API key revoked');
    }
  })();
  const limitRules = queryLimitRules(config.queryLimits);
  const wsCleanup = useServer<Record<string, unknown>, { principal?: Principal }>(
    {
      schema,
      // The same limits as over HTTP, in the same order: tokens while parsing, static rules, then the cost with the variables.
      onSubscribe: (_ctx, _id, payload): ExecutionArgs | readonly GraphQLError[] => {
        let document;
        try {
          document = parse(payload.query, { maxTokens: config.queryLimits.maxTokens });
        } catch (error) {
          return [error instanceof GraphQLError ? withLimitCode(error) : new GraphQLError(String(error))];
        }
        const errors = limitRefusals(schema, document, limitRules) ?? validate(schema, document, specifiedRules);
        if (errors.length) return errors;
        const refusal = costRefusal(schema, document, payload.variables ?? undefined, payload.operationName, config.queryLimits.maxCost);
        if (refusal) return [refusal];
        return { schema, document, variableValues: payload.variables, operationName: payload.operationName };
      },
      onConnect: async (ctx) => {
        const params = ctx.connectionParams ?? {};
        const auth = await authenticator.authenticate(params.authorization ?? params.Authorization, ctx.extra.request.socket.remoteAddress ?? 'unknown');
        if ('retryAfterSeconds' in auth) ctx.extra.socket.close(4429, `Too many failed authentications: retry after ${auth.retryAfterSeconds} s`);
        const principal = 'principal' in auth ? auth.principal : null;
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
      context: (ctx, id): Context =>
        fanOut.bind({ principal: ctx.extra.principal ?? null, loaders: new Loaders(services, { cache: false }), pubsub: events.pubsub }, ctx.extra.socket, id),
      ...subscriptionMetrics(metrics),
      onNext: fanOut.onNext,
      subscribe: fanOut.subscribe,
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    validationRules: limitRules,
    parseOptions: { maxTokens: config.queryLimits.maxTokens },
    introspection: true,
    // main.ts owns the signals: Apollo's own handler would re-raise SIGTERM and skip our shutdown.
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) => formatGraphQLError(formatted, error, log),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      queryCostPlugin<Context>(config.queryLimits),
      budgetErrorsOnce<Context>(),
      databaseOutagePlugin<Context>(dataSource),
      operationMetrics(metrics),
      { async serverWillStart() { return { async drainServer() { await wsCleanup.dispose(); } }; } },
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const database = await databaseAnswers(dataSource);
    const redis = await events.ping();
    res.status(database && redis ? 200 : 503).json({ database, redis: config.redisUrl ? redis : 'not configured' });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use('/webhooks/twilio', createTwilioWebhookRouter({
    authToken: config.twilio.authToken, publicUrl: config.publicUrl,
    inbound: services.inbound, statusCallbacks: services.statusCallbacks, log, metrics,
  }));
  app.use('/inbox', createInboxRouter());
  // Without Twilio credentials the built-in carrier simulator takes the messages (TWILIO_API_BASE_URL points here).
  const simulator = config.twilio.simulated
    ? new CarrierSimulator({ accountSid: config.twilio.accountSid, authToken: config.twilio.authToken, publicUrl: config.publicUrl, ...config.simulator }, log)
    : null;
  if (simulator) app.use('/carrier', simulator.router());
  app.use(
    '/graphql',
    express.json({ limit: MAX_BODY_BYTES }),
    refuseOverLimits(schema, limitRules, config.queryLimits.maxTokens),
    authenticateRequest(authenticator, dataSource),
    expressMiddleware(apollo, {
      context: async ({ res }) => ({ principal: res.locals.principal as Principal | null, loaders: new Loaders(services, { cache: true }), pubsub: events.pubsub, budget: new ExecutionBudget(config.execution) }),
    }),
  );
  app.use((error: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    if (error.type === 'entity.too.large') {
      res.status(413).json({ errors: [{ message: `request body exceeds the limit of ${MAX_BODY_BYTES} bytes`, extensions: { code: 'PAYLOAD_TOO_LARGE' } }] });
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
    services.webhooks.deliverer.start();
    services.validitySweeper.start();
    services.doubleOptIn.start();
  }

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // Workers stop first: hand-overs in flight finish and are recorded while the server still answers.
      await services.dispatcher.stop();
      await simulator?.stop();
      await services.campaignWorker.stop();
      await services.validitySweeper.stop();
      await services.doubleOptIn.stop();
      await services.campaigns.drain();
      await services.campaignProgress.stop();
      // After the workers, whose last changes may still store events; an attempt in flight finishes.
      await services.webhooks.deliverer.stop();
      await services.webhooks.outbox.stop();
      // Apollo's drain stops accepting, waits for in-flight requests and closes the sockets.
      await apollo.stop();
      await revocations.return();
      wsServer.close();
      await events.close();
      if (dataSource.isInitialized) await dataSource.destroy();
      releaseIdSecret();
      log.info('switchboard stopped');
    })();
    return closing;
  };

  return { url, port, httpServer, services, schema, generatedAdminToken: generated, close };
}

function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown, log: Logger): GraphQLFormattedError {
  if (error instanceof GraphQLError && error.originalError instanceof DomainError) {
    const { message, extensions } = toGraphQLError(error);
    return { ...formatted, message, extensions };
  }
  const limit = queryLimitExtensions(formatted.message, error instanceof GraphQLError ? error.originalError : undefined);
  if (limit) return { ...formatted, extensions: { ...formatted.extensions, ...limit } };
  const code = formatted.extensions?.code;
  if (code && code !== 'INTERNAL_SERVER_ERROR') return formatted;
  const original = error instanceof GraphQLError ? error.originalError ?? error : error;
  log.error({ err: original, path: formatted.path }, 'resolver failed');
  return { message: 'internal error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** Puts the caller in res.locals.principal; answers 429 past the failed-authentication limit and 503 when the keys cannot be read. */
function authenticateRequest(authenticator: Authenticator, dataSource: DataSource) {
  return async (req: Request, res: Response, next: NextFunction) => {
    let auth: Authentication;
    try {
      auth = await authenticator.authenticate(req.headers.authorization, req.ip ?? req.socket.remoteAddress ?? 'unknown');
    } catch (error) {
      if (await databaseAnswers(dataSource)) return next(error);
      res.status(503).json({ errors: [serviceUnavailable().toJSON()] });
      return;
    }
    if ('retryAfterSeconds' in auth) {
      res.status(429).set('Retry-After', String(auth.retryAfterSeconds)).json({
        errors: [{ message: `too many failed authentications from this client or with this key: retry after ${auth.retryAfterSeconds} s`, extensions: { code: 'RATE_LIMITED', retryAfterSeconds: auth.retryAfterSeconds } }],
      });
      return;
    }
    res.locals.principal = auth.principal;
    next();
  };
}

/** A parse error of graphql-ws carries the token limit's code as Apollo's does. */
function withLimitCode(error: GraphQLError): GraphQLError {
  const limit = queryLimitExtensions(error.message, error);
  return limit ? new GraphQLError(error.message, { extensions: limit }) : error;
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
