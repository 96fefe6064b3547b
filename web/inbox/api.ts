import type { SendError } from './model';

/** The key was not accepted (UNAUTHENTICATED): the page signs out. */
export class KeyRejected extends Error {}

/** Any other GraphQL error, with its code and, for a refused send, the contract's SendError. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
    readonly sendError: SendError | null,
  ) {
    super(message);
  }
}

interface GraphQLError {
  message: string;
  extensions?: { code?: string; sendError?: SendError };
}

/** One query or mutation to /graphql with the key as a Bearer token, exactly as any API client. */
export async function request<T>(key: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json().catch(() => ({ errors: [{ message: `the server answered ${res.status}` }] }))) as { data?: T; errors?: GraphQLError[] };
  const error = body.errors?.[0];
  if (error) {
    if (error.extensions?.code === 'UNAUTHENTICATED') throw new KeyRejected(error.message);
    throw new ApiError(error.message, error.extensions?.code ?? null, error.extensions?.sendError ?? null);
  }
  return body.data as T;
}
