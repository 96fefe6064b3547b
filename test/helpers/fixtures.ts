import type { TestApp } from './app';

export interface AccountFixture {
  id: string;
  key: string;
}

export async function createAccount(app: TestApp, name: string, homeCountry = 'US'): Promise<AccountFixture> {
  const data = await app.ok<{ createAccount: { account: { id: string }; apiKey: { secret: string } } }>(
    `mutation($input: CreateAccountInput!) { createAccount(input: $input) { account { id } apiKey { secret } } }`,
    { input: { name, homeCountry } },
  );
  return { id: data.createAccount.account.id, key: data.createAccount.apiKey.secret };
}

export async function createSubaccount(app: TestApp, parent: AccountFixture, name: string, inheritGeoPermissions = true): Promise<AccountFixture> {
  const data = await app.ok<{ createSubaccount: { account: { id: string }; apiKey: { secret: string } } }>(
    `mutation($input: CreateSubaccountInput!) { createSubaccount(input: $input) { account { id } apiKey { secret } } }`,
    { input: { parentId: parent.id, name, inheritGeoPermissions } },
    parent.key,
  );
  return { id: data.createSubaccount.account.id, key: data.createSubaccount.apiKey.secret };
}

export async function enableCountries(app: TestApp, account: AccountFixture, countries: string[], token: string = account.key): Promise<void> {
  await app.ok(`mutation($id: ID!, $c: [String!]!) { setGeoPermissions(accountId: $id, countries: $c, enabled: true) { enabledCountries } }`, { id: account.id, c: countries }, token);
}
