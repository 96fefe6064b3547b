import { Field, ObjectType } from 'type-graphql';
import { Account } from '../accounts/account.entity';
import { BlockedPrefix } from './blocked-prefix.entity';
import { countryStates, sharedCodeWarnings, type GeoPermissionsState } from './geo.service';

@ObjectType('CountryPermission')
export class CountryPermission {
  @Field({ description: 'ISO 3166-1 alpha-2 region.' })
  country: string;

  @Field({ description: 'Calling code without \'+\', e.g. "1", "44".' })
  callingCode: string;

  @Field()
  enabled: boolean;
}

@ObjectType('GeoPermissions')
export class GeoPermissionsView {
  constructor(private readonly state: GeoPermissionsState) {}

  @Field(() => Account)
  get account(): Account {
    return this.state.account;
  }

  @Field({ description: 'True when the effective settings come from the parent account.' })
  get inherited(): boolean {
    return this.state.inherited;
  }

  @Field(() => Account, { description: 'The account whose country settings are in effect.' })
  get source(): Account {
    return this.state.source;
  }

  @Field(() => [String], { description: 'Effective enabled regions, sorted.' })
  get enabledCountries(): string[] {
    return this.state.enabledCountries;
  }

  @Field(() => [CountryPermission], { description: 'Every region the server knows, with its effective state.' })
  get countries(): CountryPermission[] {
    return countryStates(new Set(this.state.enabledCountries));
  }

  @Field(() => [BlockedPrefix], { description: "Every block that applies to this account, its parent's included." })
  get blockedPrefixes(): BlockedPrefix[] {
    return this.state.blockedPrefixes;
  }

  @Field(() => [String], { description: 'Human-readable notes, e.g. that +1 reaches both US and CA but only one is enabled.' })
  get warnings(): string[] {
    return sharedCodeWarnings(new Set(this.state.enabledCountries));
  }
}
