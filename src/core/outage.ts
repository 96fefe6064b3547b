import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';

export const SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE';
const MESSAGE = 'the database is unavailable; retry later';

/** True when the database answers a trivial query now. */
export async function databaseAnswers(dataSource: DataSource): Promise<boolean> {
  if (!dataSource.isInitialized) return false;
  return dataSource.query('SELECT 1').then(() => true, () => false);
}

export function serviceUnavailable(): GraphQLError {
  return new GraphQLError(MESSAGE, { extensions: { code: SERVICE_UNAVAILABLE } });
}

/**
 * A request whose resolvers failed while the database does not answer is an outage, not a bug:
 * 503 with SERVICE_UNAVAILABLE, so that clients retry, instead of 500 INTERNAL_SERVER_ERROR.
 * The database is asked only when something failed.
 */
export function databaseOutagePlugin<C extends object>(dataSource: DataSource): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      let outage = false;
      return {
        async didEncounterErrors({ errors }) {
          if (errors.some((error) => !error.extensions?.code || error.extensions.code === 'INTERNAL_SERVER_ERROR')) {
            outage = !(await databaseAnswers(dataSource));
          }
        },
        async willSendResponse({ response }) {
          if (!outage || response.body.kind !== 'single') return;
          response.http.status = 503;
          response.body.singleResult.errors = response.body.singleResult.errors?.map((error) =>
            error.extensions?.code === 'INTERNAL_SERVER_ERROR' ? { ...error, message: MESSAGE, extensions: { ...error.extensions, code: SERVICE_UNAVAILABLE } } : error,
          );
        },
      };
    },
  };
}
