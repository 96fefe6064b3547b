import type { NonEmptyArray } from 'type-graphql';
import type { DataSource } from 'typeorm';
import { AccountResolver } from './accounts/account.resolver';
import { AccountService } from './accounts/account.service';
import { ApiKeyService } from './accounts/api-key.service';
import type { Config } from './config';
import type { EventBus } from './core/pubsub';
import type { Logger } from './core/logger';
import type { Metrics } from './core/metrics';
import { GeoResolver } from './geo/geo.resolver';
import { GeoService } from './geo/geo.service';

/** Every service, constructed explicitly in dependency order. */
export function createServices(dataSource: DataSource, config: Config, events: EventBus, log: Logger, metrics: Metrics) {
  const apiKeys = new ApiKeyService(dataSource, events);
  const accounts = new AccountService(dataSource, apiKeys);
  const geo = new GeoService(dataSource, accounts);
  return { dataSource, config, events, log, metrics, apiKeys, accounts, geo };
}

export type Services = ReturnType<typeof createServices>;

/** The resolver instances type-graphql uses, built from the services. */
export function createResolvers(services: Services): Map<Function, object> {
  return new Map<Function, object>([
    [AccountResolver, new AccountResolver(services.accounts, services.geo)],
    [GeoResolver, new GeoResolver(services.geo, services.accounts)],
  ]);
}

export function resolverClasses(resolvers: Map<Function, object>): NonEmptyArray<Function> {
  return [...resolvers.keys()] as NonEmptyArray<Function>;
}
