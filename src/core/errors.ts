import { GraphQLError } from 'graphql';

// The four refusals of the contract, mapped once to GraphQL error codes.

export function notFound(what: string, id?: string): GraphQLError {
  return new GraphQLError(id === undefined ? `${what} not found` : `${what} ${id} not found`, {
    extensions: { code: 'NOT_FOUND' },
  });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

export function unauthenticated(message = 'a valid API key is required: Authorization: Bearer <key>'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED' } });
}

/** Bad input: the message starts with the field's name. */
export function badInput(field: string, message: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(`${field}: ${message}`, { extensions: { code: 'BAD_USER_INPUT', field, ...extra } });
}
