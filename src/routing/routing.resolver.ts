import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { principalOf, type Context } from '../core/auth';
import type { RoutingService } from './routing.service';
import { Route } from './routing.types';

@Resolver(() => Route)
export class RoutingResolver {
  constructor(private readonly routing: RoutingService) {}

  @Query(() => Route, { description: 'The sender that a message from this group to this number would use, or the reason it would be refused.' })
  route(@Arg('groupId', () => ID) groupId: string, @Arg('phoneNumber') phoneNumber: string, @Ctx() ctx: Context): Promise<Route> {
    return this.routing.route(principalOf(ctx), groupId, phoneNumber);
  }
}
