import { Field, Int, ObjectType, type ClassType } from 'type-graphql';

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/** One page of a list, as keysetPage (pagination.ts) returns it and a connection type serves it. */
export interface Page<T> {
  nodes: T[];
  /** The same nodes, each with its own cursor: `after` it continues with the next node. */
  edges: Array<Edge<T>>;
  pageInfo: PageInfo;
  totalCount: number;
}

/**
 * The GraphQL type of a paged list: `<name>Connection { nodes edges { cursor node } pageInfo totalCount }`,
 * with its `<name>Edge`. Domains declare theirs as `export const FooConnection = connectionType('Foo', Foo)`.
 */
export function connectionType<T extends object>(name: string, node: ClassType<T>): ClassType<Page<T>> {
  @ObjectType(`${name}Edge`)
  class EdgeType implements Edge<T> {
    @Field({ description: 'The cursor after this node: pass it as `after` for the nodes that follow.' })
    cursor: string;

    @Field(() => node)
    node: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionType implements Page<T> {
    @Field(() => [node])
    nodes: T[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    @Field(() => Int)
    totalCount: number;

    @Field(() => [EdgeType], { description: 'The nodes with a cursor each, as Relay clients expect; `nodes` holds the same nodes.' })
    edges: Array<Edge<T>>;
  }
  Object.defineProperty(EdgeType, 'name', { value: `${name}Edge` });
  Object.defineProperty(ConnectionType, 'name', { value: `${name}Connection` });
  return ConnectionType;
}
