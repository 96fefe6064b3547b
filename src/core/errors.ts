import { GraphQLError } from 'graphql';

// The refusals of the contract as plain domain errors: services throw these and know nothing of
// GraphQL; the server maps them to GraphQL errors once (toGraphQLError), over HTTP and graphql-ws.

export abstract class DomainError extends Error {
  abstract readonly code: string;

  /** What the error's `extensions` carry besides the code. */
  details(): Record<string, unknown> {
    return {};
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
}

/** Bad input: the message starts with the field's name. */
export class BadInputError extends DomainError {
  readonly code = 'BAD_USER_INPUT';

  constructor(readonly field: string, message: string, private readonly extra: Record<string, unknown> = {}) {
    super(`${field}: ${message}`);
  }

  override details(): Record<string, unknown> {
    return { field: this.field, ...this.extra };
  }
}

export function notFound(what: string, id?: string): NotFoundError {
  return new NotFoundError(id === undefined ? `${what} not found` : `${what} ${id} not found`);
}

export function forbidden(message: string): ForbiddenError {
  return new ForbiddenError(message);
}

export function unauthenticated(message = 'a valid API key is required: Authorization: Bearer <key>'): UnauthenticatedError {
  return new UnauthenticatedError(message);
}

export function badInput(field: string, message: string, extra: Record<string, unknown> = {}): BadInputError {
  return new BadInputError(field, message, extra);
}

/** The GraphQL error a client sees for an error met while resolving: a domain error's code and details, else the error as it is. */
export function toGraphQLError(error: GraphQLError): GraphQLError {
  const original = error.originalError;
  if (!(original instanceof DomainError)) return error;
  return new GraphQLError(original.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: original,
    extensions: { code: original.code, ...original.details() },
  });
}
