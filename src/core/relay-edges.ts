import { Field, FieldResolver, ObjectType, Resolver, Root, type ClassType } from 'type-graphql';
import type { Edge } from './connection';

/**
 * Relay-style `edges { cursor node }` beside `nodes` on a connection type declared in its
 * domain: the page (see toPage) carries each node's own cursor, which `after` takes.
 * Makes `<Node>Edge` and a resolver for the connection's `edges` field.
 */
export function relayEdges<T extends object>(connection: ClassType, node: ClassType<T>): ClassType {
  const name = connection.name.replace(/Connection$/, 'Edge');

  @ObjectType(name)
  class EdgeType implements Edge<T> {
    @Field({ description: 'The cursor after this node: pass it as `after` for the nodes that follow.' })
    cursor: string;

    @Field(() => node)
    node: T;
  }

  @Resolver(() => connection)
  class EdgesResolver {
    @FieldResolver(() => [EdgeType], { description: 'The nodes with a cursor each, as Relay clients expect; `nodes` holds the same nodes.' })
    edges(@Root() page: { edges?: Array<Edge<T>> }): Array<Edge<T>> {
      return page.edges ?? [];
    }
  }
  Object.defineProperty(EdgesResolver, 'name', { value: `${name}Resolver` });
  return EdgesResolver;
}
