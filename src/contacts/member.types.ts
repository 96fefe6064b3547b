import { Field, Int, ObjectType } from 'type-graphql';
import { Membership } from './membership.entity';
import { PageInfo } from '../core/connection';

@ObjectType()
export class MemberConnection {
  @Field(() => [Membership])
  nodes: Membership[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;

  @Field(() => Int)
  totalCount: number;
}
