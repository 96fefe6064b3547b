import { AccountsGeo1763800000000 } from './1763800000000-accounts-geo';

/** Every migration in order; listed explicitly so that ts-jest and the compiled build load the same set. */
export const migrations = [AccountsGeo1763800000000];
