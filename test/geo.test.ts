import { parsePhone } from '../src/core/phone';
import { checkRecipient } from '../src/geo/send-policy';
import { ADMIN_TOKEN, describeEachDatabase, type TestApp } from './helpers/app';
import { createAccount, createSubaccount, enableCountries, type AccountFixture } from './helpers/fixtures';
import { rawId } from './helpers/ids';

const GEO = `inherited source { id } enabledCountries warnings blockedPrefixes { id prefix reason account { id } }`;

async function geoOf(app: TestApp, account: AccountFixture, token = account.key) {
  return (await app.ok(`query($id: ID) { geoPermissions(accountId: $id) { ${GEO} } }`, { id: account.id }, token)).geoPermissions;
}

async function mayItSend(app: TestApp, account: AccountFixture, number: string) {
  const policy = await app.server.services.geo.loadSendPolicy(rawId(account.id));
  const error = checkRecipient(policy, parsePhone(number));
  return error ? { code: error.code, providerCode: error.providerCode } : 'allowed';
}

describeEachDatabase('geo permissions', (app) => {
  it('gives a new account exactly its home country, and warns about the rest of +1', async () => {
    const acme = await createAccount(app(), 'Geo US', 'US');
    const geo = await geoOf(app(), acme);
    expect(geo).toMatchObject({ inherited: false, source: { id: acme.id }, enabledCountries: ['US'], blockedPrefixes: [] });
    expect(geo.warnings.find((w: string) => w.startsWith('+1 '))).toMatch(/^\+1 numbers in .*CA.*PR.* will be refused/);
    const countries = (await app().ok(`{ geoPermissions { countries { country callingCode enabled } } }`, {}, acme.key)).geoPermissions.countries;
    expect(countries.length).toBeGreaterThan(200);
    expect(countries).toContainEqual({ country: 'GB', callingCode: '44', enabled: false });
    expect(countries).toContainEqual({ country: 'US', callingCode: '1', enabled: true });
  });

  it('enables and disables regions, and refuses unknown ones by name without changing anything', async () => {
    const acme = await createAccount(app(), 'Geo edit', 'US');
    const on = await app().ok(`mutation($id: ID!) { setGeoPermissions(accountId: $id, countries: ["ca", "GB"], enabled: true) { enabledCountries } }`, { id: acme.id }, acme.key);
    expect(on.setGeoPermissions.enabledCountries).toEqual(['CA', 'GB', 'US']);
    const bad = await app().gql(`mutation($id: ID!) { setGeoPermissions(accountId: $id, countries: ["FR", "XX", "QQ"], enabled: true) { enabledCountries } }`, { id: acme.id }, acme.key);
    expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'countries' } });
    expect(bad.errors?.[0].message).toMatch(/XX, QQ/);
    const off = await app().ok(`mutation($id: ID!) { setGeoPermissions(accountId: $id, countries: ["GB"], enabled: false) { enabledCountries } }`, { id: acme.id }, acme.key);
    expect(off.setGeoPermissions.enabledCountries).toEqual(['CA', 'US']);
  });

  it('lets an inheriting subaccount follow its parent live, and a non-inheriting one start from a copy', async () => {
    const parent = await createAccount(app(), 'Geo parent', 'US');
    const inheriting = await createSubaccount(app(), parent, 'inherits', true);
    const own = await createSubaccount(app(), parent, 'own', false);
    await enableCountries(app(), parent, ['MX']);
    expect(await geoOf(app(), inheriting)).toMatchObject({ inherited: true, source: { id: parent.id }, enabledCountries: ['MX', 'US'] });
    expect(await geoOf(app(), own)).toMatchObject({ inherited: false, source: { id: own.id }, enabledCountries: ['US'] });

    const off = await app().ok(`mutation($id: ID!) { setGeoPermissionInheritance(accountId: $id, inherit: false) { inherited enabledCountries } }`, { id: inheriting.id }, parent.key);
    expect(off.setGeoPermissionInheritance).toEqual({ inherited: false, enabledCountries: ['MX', 'US'] });
    await enableCountries(app(), parent, ['FR']);
    expect((await geoOf(app(), inheriting)).enabledCountries).toEqual(['MX', 'US']);
    await enableCountries(app(), inheriting, ['DE'], parent.key);
    expect((await geoOf(app(), inheriting)).enabledCountries).toEqual(['DE', 'MX', 'US']);
    const back = await app().ok(`mutation($id: ID!) { setGeoPermissionInheritance(accountId: $id, inherit: true) { inherited enabledCountries } }`, { id: inheriting.id }, parent.key);
    expect(back.setGeoPermissionInheritance).toEqual({ inherited: true, enabledCountries: ['FR', 'MX', 'US'] });
  });

  it('refuses a subaccount key editing its own geo permissions or inheritance', async () => {
    const parent = await createAccount(app(), 'Geo guard', 'US');
    const sub = await createSubaccount(app(), parent, 'guarded', false);
    const edit = await app().gql(`mutation($id: ID!) { setGeoPermissions(accountId: $id, countries: ["RU"], enabled: true) { enabledCountries } }`, { id: sub.id }, sub.key);
    expect(edit.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const inherit = await app().gql(`mutation($id: ID!) { setGeoPermissionInheritance(accountId: $id, inherit: true) { inherited } }`, { id: sub.id }, sub.key);
    expect(inherit.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await geoOf(app(), sub)).enabledCountries).toEqual(['US']);
    const parentEdit = await app().gql(`mutation($id: ID!) { setGeoPermissions(accountId: $id, countries: ["RU"], enabled: true) { enabledCountries } }`, { id: parent.id }, sub.key);
    expect(parentEdit.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('blocks E.164 prefixes for the account and its subaccounts, with the lifting rules of the contract', async () => {
    const parent = await createAccount(app(), 'Blocker', 'GB');
    const sub = await createSubaccount(app(), parent, 'blocked child');
    const other = await createAccount(app(), 'Stranger', 'GB');
    const block = (await app().ok(`mutation($id: ID!) { blockPrefix(accountId: $id, prefix: "+44 78", reason: "toll fraud") { id prefix reason account { id } } }`, { id: parent.id }, parent.key)).blockPrefix;
    expect(block).toMatchObject({ prefix: '+4478', reason: 'toll fraud', account: { id: parent.id } });
    expect((await geoOf(app(), sub)).blockedPrefixes.map((b: { prefix: string }) => b.prefix)).toEqual(['+4478']);

    for (const prefix of ['4478', '+', '+0123', '+123456789012345', '+44a']) {
      const bad = await app().gql(`mutation($id: ID!, $p: String!) { blockPrefix(accountId: $id, prefix: $p) { id } }`, { id: parent.id, p: prefix }, parent.key);
      expect(bad.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'prefix' } });
    }
    const dup = await app().gql(`mutation($id: ID!) { blockPrefix(accountId: $id, prefix: "+4478") { id } }`, { id: parent.id }, parent.key);
    expect(dup.errors?.[0].extensions?.field).toBe('prefix');

    const subOwn = (await app().ok(`mutation($id: ID!) { blockPrefix(accountId: $id, prefix: "+882") { id } }`, { id: sub.id }, sub.key)).blockPrefix;
    const onParent = await app().gql(`mutation($id: ID!) { blockPrefix(accountId: $id, prefix: "+881") { id } }`, { id: parent.id }, sub.key);
    expect(onParent.errors?.[0].extensions?.code).toBe('NOT_FOUND');

    const liftBySub = await app().gql(`mutation($id: ID!) { unblockPrefix(id: $id) }`, { id: block.id }, sub.key);
    expect(liftBySub.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const liftByStranger = await app().gql(`mutation($id: ID!) { unblockPrefix(id: $id) }`, { id: block.id }, other.key);
    expect(liftByStranger.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await app().ok(`mutation($id: ID!) { unblockPrefix(id: $id) }`, { id: subOwn.id }, parent.key)).unblockPrefix).toBe(true);
    expect((await app().ok(`mutation($id: ID!) { unblockPrefix(id: $id) }`, { id: block.id }, ADMIN_TOKEN)).unblockPrefix).toBe(true);
    expect((await geoOf(app(), sub)).blockedPrefixes).toEqual([]);
  });

  it('answers "may this account send to this number" with the first failing check and its code', async () => {
    const parent = await createAccount(app(), 'Sender check', 'US');
    const sub = await createSubaccount(app(), parent, 'checked child');
    expect(await mayItSend(app(), sub, '+12015550123')).toBe('allowed');
    expect(await mayItSend(app(), sub, '+14165550123')).toEqual({ code: 'GEO_PERMISSION_DENIED', providerCode: 21408 });
    expect(await mayItSend(app(), sub, '+17875550123')).toEqual({ code: 'GEO_PERMISSION_DENIED', providerCode: 21408 });
    expect(await mayItSend(app(), sub, '+447911123456')).toEqual({ code: 'GEO_PERMISSION_DENIED', providerCode: 21408 });
    expect(await mayItSend(app(), sub, '+1201')).toEqual({ code: 'INVALID_PHONE_NUMBER', providerCode: 21211 });
    await enableCountries(app(), parent, ['CA']);
    expect(await mayItSend(app(), sub, '+14165550123')).toBe('allowed');
    await app().ok(`mutation($id: ID!) { blockPrefix(accountId: $id, prefix: "+1416") { id } }`, { id: parent.id }, parent.key);
    expect(await mayItSend(app(), sub, '+14165550123')).toEqual({ code: 'PREFIX_BLOCKED', providerCode: null });
    await app().ok(`mutation($id: ID!) { suspendAccount(id: $id, reason: "spike") { id } }`, { id: parent.id }, ADMIN_TOKEN);
    expect(await mayItSend(app(), sub, '+12015550123')).toEqual({ code: 'ACCOUNT_SUSPENDED', providerCode: null });
    expect(await mayItSend(app(), sub, 'not a number')).toEqual({ code: 'ACCOUNT_SUSPENDED', providerCode: null });
  });
});
