import { ADMIN_TOKEN, describeEachDatabase } from './helpers/app';
import { createAccount, createSubaccount } from './helpers/fixtures';

const ACCOUNT_FIELDS = `id name homeCountry status suspensionReason inheritsGeoPermissions parent { id name } subaccounts { id } apiKeys { id name prefix lastUsedAt revokedAt }`;

describeEachDatabase('accounts and API keys', (app) => {
  it('lets only the operator create master accounts, each with a first key shown once', async () => {
    const res = await app().ok(`mutation { createAccount(input: { name: "Acme", homeCountry: "us" }) { account { ${ACCOUNT_FIELDS} } apiKey { secret apiKey { prefix } } } }`);
    const { account, apiKey } = res.createAccount;
    expect(account).toMatchObject({ name: 'Acme', homeCountry: 'US', status: 'ACTIVE', parent: null, subaccounts: [], inheritsGeoPermissions: false });
    expect(apiKey.secret).toMatch(/^sb_[A-Za-z0-9_-]{32}$/);
    expect(apiKey.secret.startsWith(apiKey.apiKey.prefix)).toBe(true);

    const byKey = await app().gql(`mutation { createAccount(input: { name: "Rogue", homeCountry: "US" }) { account { id } } }`, {}, apiKey.secret);
    expect(byKey.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('refuses an empty name and an unknown home country, naming the field, and creates nothing', async () => {
    const before = await app().ok(`{ account(id: "999999") { id } }`);
    expect(before.account).toBeNull();
    const empty = await app().gql(`mutation { createAccount(input: { name: "  ", homeCountry: "US" }) { account { id } } }`);
    expect(empty.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'name' } });
    expect(empty.errors?.[0].message).toMatch(/^name:/);
    const region = await app().gql(`mutation { createAccount(input: { name: "X", homeCountry: "ZZ" }) { account { id } } }`);
    expect(region.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'homeCountry' } });
  });

  it('answers viewer with the key\'s own account and keeps lastUsedAt', async () => {
    const acme = await createAccount(app(), 'Viewer Co', 'GB');
    const res = await app().ok(`{ viewer { id name homeCountry apiKeys { lastUsedAt } } }`, {}, acme.key);
    expect(res.viewer).toMatchObject({ id: acme.id, name: 'Viewer Co', homeCountry: 'GB' });
    expect(res.viewer.apiKeys[0].lastUsedAt).not.toBeNull();
  });

  it('stops a revoked key at once, over HTTP', async () => {
    const acme = await createAccount(app(), 'Revoker');
    const extra = await app().ok(`mutation($id: ID!) { createApiKey(accountId: $id, name: "ci") { secret apiKey { id name } } }`, { id: acme.id }, acme.key);
    const secret = extra.createApiKey.secret;
    expect((await app().ok(`{ viewer { id } }`, {}, secret)).viewer.id).toBe(acme.id);
    const revoked = await app().ok(`mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }`, { id: extra.createApiKey.apiKey.id }, acme.key);
    expect(revoked.revokeApiKey.revokedAt).not.toBeNull();
    const after = await app().gql(`{ viewer { id } }`, {}, secret);
    expect(after.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    // The other key is untouched.
    expect((await app().ok(`{ viewer { id } }`, {}, acme.key)).viewer.id).toBe(acme.id);
  });

  it('lets a master create and see subaccounts; one level only', async () => {
    const master = await createAccount(app(), 'Parent');
    const sub = await createSubaccount(app(), master, 'Child');
    const seen = await app().ok(`query($id: ID!) { account(id: $id) { ${ACCOUNT_FIELDS} } }`, { id: master.id }, master.key);
    expect(seen.account.subaccounts).toEqual([{ id: sub.id }]);
    const child = await app().ok(`query($id: ID!) { account(id: $id) { homeCountry inheritsGeoPermissions parent { id } } }`, { id: sub.id }, master.key);
    expect(child.account).toEqual({ homeCountry: 'US', inheritsGeoPermissions: true, parent: { id: master.id } });

    const nested = await app().gql(`mutation($p: ID!) { createSubaccount(input: { parentId: $p, name: "Grandchild" }) { account { id } } }`, { p: sub.id }, master.key);
    expect(nested.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', field: 'parentId' } });
    const bySub = await app().gql(`mutation($p: ID!) { createSubaccount(input: { parentId: $p, name: "Sibling" }) { account { id } } }`, { p: master.id }, sub.key);
    expect(bySub.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('shows a subaccount its parent only through parent, with empty subaccounts and apiKeys', async () => {
    const master = await createAccount(app(), 'Visible Parent');
    const sub = await createSubaccount(app(), master, 'Visible Child');
    await createSubaccount(app(), master, 'Other Child');
    const res = await app().ok(`{ viewer { parent { id name homeCountry status suspensionReason subaccounts { id } apiKeys { id } geoPermissions { enabledCountries } } } }`, {}, sub.key);
    expect(res.viewer.parent).toEqual({ id: master.id, name: 'Visible Parent', homeCountry: 'US', status: 'ACTIVE', suspensionReason: null, subaccounts: [], apiKeys: [], geoPermissions: { enabledCountries: ['US'] } });
    expect((await app().ok(`query($id: ID!) { account(id: $id) { id } }`, { id: master.id }, sub.key)).account).toBeNull();
  });

  it.each([
    ['parent', (f: string) => `{ viewer { parent { ${f} } } }`],
    ['geoPermissions.source', (f: string) => `{ viewer { geoPermissions { source { ${f} } } } }`],
  ])('shows a subaccount no more of its parent through %s than the contract allows', async (_path, query) => {
    const master = await createAccount(app(), 'Private Parent');
    const sub = await createSubaccount(app(), master, 'Curious Child');
    await app().ok('mutation($id: ID!) { suspendAccount(id: $id, reason: "unpaid invoices") { id } }', { id: master.id });
    const reason = await app().ok(query('id suspensionReason'), {}, sub.key);
    expect(JSON.stringify(reason)).not.toContain('unpaid');
    for (const field of ['createdAt', 'inheritsGeoPermissions']) {
      const res = await app().gql(query(`id ${field}`), {}, sub.key);
      expect(res.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
      expect(res.errors?.[0].message).toMatch(new RegExp(`^${field}:`));
      expect(JSON.stringify(res.data ?? null)).not.toMatch(/\d{4}-\d{2}-\d{2}T/);
    }
    const own = await app().ok('{ viewer { createdAt inheritsGeoPermissions suspensionReason } }', {}, master.key);
    expect(own.viewer).toMatchObject({ inheritsGeoPermissions: false, suspensionReason: 'unpaid invoices' });
    const masterSeesSub = await app().ok('query($id: ID!) { account(id: $id) { createdAt inheritsGeoPermissions } }', { id: sub.id }, master.key);
    expect(masterSeesSub.account.inheritsGeoPermissions).toBe(true);
  });

  it('answers another tenant\'s account as not found, and refuses its keys and suspension', async () => {
    const a = await createAccount(app(), 'Tenant A');
    const b = await createAccount(app(), 'Tenant B');
    const bSub = await createSubaccount(app(), b, 'Tenant B child');
    expect((await app().ok(`query($id: ID!) { account(id: $id) { id } }`, { id: b.id }, a.key)).account).toBeNull();
    expect((await app().ok(`query($id: ID!) { account(id: $id) { id } }`, { id: bSub.id }, a.key)).account).toBeNull();
    const key = await app().gql(`mutation($id: ID!) { createApiKey(accountId: $id, name: "steal") { secret } }`, { id: b.id }, a.key);
    expect(key.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const bKeys = await app().ok(`{ viewer { apiKeys { id } } }`, {}, b.key);
    const revoke = await app().gql(`mutation($id: ID!) { revokeApiKey(id: $id) { id } }`, { id: bKeys.viewer.apiKeys[0].id }, a.key);
    expect(revoke.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    const suspend = await app().gql(`mutation($id: ID!) { suspendAccount(id: $id, reason: "x") { id } }`, { id: bSub.id }, a.key);
    expect(suspend.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect((await app().ok(`{ viewer { status } }`, {}, b.key)).viewer.status).toBe('ACTIVE');
  });

  it('lets only the operator suspend a master, and the parent or operator a subaccount', async () => {
    const master = await createAccount(app(), 'Suspendable');
    const sub = await createSubaccount(app(), master, 'Suspendable child');
    const self = await app().gql(`mutation($id: ID!) { suspendAccount(id: $id, reason: "me") { id } }`, { id: master.id }, master.key);
    expect(self.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const subSelf = await app().gql(`mutation($id: ID!) { suspendAccount(id: $id, reason: "me") { id } }`, { id: sub.id }, sub.key);
    expect(subSelf.errors?.[0].extensions?.code).toBe('FORBIDDEN');

    const byParent = await app().ok(`mutation($id: ID!) { suspendAccount(id: $id, reason: "spam spike") { status suspensionReason } }`, { id: sub.id }, master.key);
    expect(byParent.suspendAccount).toEqual({ status: 'SUSPENDED', suspensionReason: 'spam spike' });
    const resumed = await app().ok(`mutation($id: ID!) { resumeAccount(id: $id) { status suspensionReason } }`, { id: sub.id }, master.key);
    expect(resumed.resumeAccount).toEqual({ status: 'ACTIVE', suspensionReason: null });

    const byOperator = await app().ok(`mutation($id: ID!) { suspendAccount(id: $id, reason: "fraud") { status } }`, { id: master.id }, ADMIN_TOKEN);
    expect(byOperator.suspendAccount.status).toBe('SUSPENDED');
    const noReason = await app().gql(`mutation($id: ID!) { suspendAccount(id: $id, reason: "") { status } }`, { id: master.id }, ADMIN_TOKEN);
    expect(noReason.errors?.[0].extensions?.field).toBe('reason');
  });

  it('answers the admin token\'s viewer with a clear refusal, not a crash', async () => {
    const res = await app().gql(`{ viewer { id } }`, {}, ADMIN_TOKEN);
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
