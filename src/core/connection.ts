import { Field, ObjectType } from 'type-graphql';

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
