import type { NextFunction, Request, Response } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per server, so that several servers in one process (tests) do not collide. */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'switchboard_http_requests_total',
    help: 'HTTP requests by route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpDuration = new Histogram({
    name: 'switchboard_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly graphqlOperations = new Counter({
    name: 'switchboard_graphql_operations_total',
    help: 'GraphQL operations by type and outcome',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly messagesSent = new Counter({
    name: 'switchboard_messages_handed_over_total',
    help: 'Outbound messages handed to the provider, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly inboundMessages = new Counter({
    name: 'switchboard_inbound_messages_total',
    help: 'Inbound webhook requests by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly activeSubscriptions = new Gauge({
    name: 'switchboard_graphql_subscriptions_active',
    help: 'GraphQL subscriptions open over graphql-ws whose event stream is listening',
    registers: [this.registry],
  });

  readonly startedSubscriptions = new Counter({
    name: 'switchboard_graphql_subscriptions_started_total',
    help: 'GraphQL subscriptions whose event stream started listening',
    registers: [this.registry],
  });

  readonly campaignProgressCounts = new Counter({
    name: 'switchboard_campaign_progress_counts_total',
    help: "Campaigns' stats counted for campaignProgress (counted), or not counted because no one listened (unwatched)",
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(withDefaults = true) {
    if (withDefaults) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts and times every request under its mounted path, not its raw URL (bounded labels). */
  middleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const stop = this.httpDuration.startTimer();
      res.on('finish', () => {
        const path = req.originalUrl.split('?')[0];
        const route = KNOWN_ROUTES.find((r) => path === r || path.startsWith(r + '/')) ?? 'other';
        stop({ method: req.method, route });
        this.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      });
      next();
    };
  }
}

/**
 * graphql-ws hooks that count a subscription once its event stream exists (onOperation: the
 * server listens from the next tick on) and until it ends for any reason (onComplete, also
 * called when the socket closes). A refused subscription (an error result) is never counted.
 */
export function subscriptionMetrics(metrics: Metrics) {
  const open = new WeakMap<object, Set<string>>();
  return {
    onOperation: (ctx: object, id: string, _payload: unknown, _args: unknown, result: unknown) => {
      if (typeof (result as AsyncIterable<unknown>)?.[Symbol.asyncIterator] !== 'function') return;
      const ids = open.get(ctx) ?? new Set<string>();
      open.set(ctx, ids.add(id));
      metrics.activeSubscriptions.inc();
      metrics.startedSubscriptions.inc();
    },
    onComplete: (ctx: object, id: string) => {
      if (open.get(ctx)?.delete(id)) metrics.activeSubscriptions.dec();
    },
  };
}

const KNOWN_ROUTES = ['/graphql', '/webhooks/twilio/inbound', '/webhooks/twilio/status', '/healthz', '/readyz', '/metrics', '/carrier'];
