import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config';

describe('configuration', () => {
  it('defaults to SQLite, port 4000, the simulator when asked and an in-process event bus', () => {
    const config = loadConfig({ CARRIER_SIMULATOR: 'on' });
    expect(config).toMatchObject({
      port: 4000,
      host: '0.0.0.0',
      database: { type: 'sqlite', path: './data/switchboard.db' },
      redisUrl: undefined,
      publicUrl: 'http://localhost:4000',
      logLevel: 'info',
      twilio: { simulated: true, apiBaseUrl: 'http://localhost:4000/carrier' },
    });
  });

  it('uses Twilio when both credentials are set', () => {
    const config = loadConfig({ TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32), TWILIO_AUTH_TOKEN: 'secret', PUBLIC_URL: 'https://sms.example.com/' });
    expect(config.twilio).toMatchObject({ simulated: false, apiBaseUrl: 'https://api.twilio.com', authToken: 'secret' });
    expect(config.publicUrl).toBe('https://sms.example.com');
  });

  it.each([
    [{ CARRIER_SIMULATOR: 'on' }, true],
    [{ CARRIER_SIMULATOR: 'on', TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32), TWILIO_AUTH_TOKEN: 'secret' }, false],
    [{ NODE_ENV: 'production', TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32), TWILIO_AUTH_TOKEN: 'secret' }, false],
  ])('runs the carrier simulator only when asked and without credentials: %j', (env, simulated) => {
    expect(loadConfig(env).twilio.simulated).toBe(simulated);
  });

  it('parses and documents every limit', () => {
    const config = loadConfig({ CARRIER_SIMULATOR: 'on', GRAPHQL_MAX_COST: '500', GRAPHQL_MAX_DEPTH: '8', GRAPHQL_MAX_ALIASES: '5', GRAPHQL_MAX_TOKENS: '900', GRAPHQL_MAX_DIRECTIVES: '3', GRAPHQL_TIMEOUT_MS: '250', GRAPHQL_MAX_ROWS: '99', AUTH_FAILURE_LIMIT: '4', AUTH_FAILURE_WINDOW_SECONDS: '30', LIVE_EVENTS_MAX_BUFFERED_BYTES: '65536' });
    expect(config.queryLimits).toEqual({ maxCost: 500, maxDepth: 8, maxAliases: 5, maxTokens: 900, maxDirectives: 3 });
    expect(config.execution).toEqual({ timeoutMs: 250, maxRows: 99 });
    expect(config.failedAuth).toEqual({ failures: 4, windowSeconds: 30 });
    expect(config.liveEvents).toEqual({ maxBufferedBytes: 65536 });
    expect(loadConfig({ CARRIER_SIMULATOR: 'on' }).liveEvents).toEqual({ maxBufferedBytes: 4 * 1024 * 1024 });
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    for (const name of ['GRAPHQL_MAX_COST', 'GRAPHQL_MAX_DEPTH', 'GRAPHQL_MAX_ALIASES', 'GRAPHQL_MAX_TOKENS', 'GRAPHQL_MAX_DIRECTIVES', 'GRAPHQL_TIMEOUT_MS', 'GRAPHQL_MAX_ROWS', 'AUTH_FAILURE_LIMIT', 'AUTH_FAILURE_WINDOW_SECONDS', 'LIVE_EVENTS_MAX_BUFFERED_BYTES', 'CARRIER_SIMULATOR', 'NODE_ENV']) {
      expect(readme).toContain(`| \`${name}\` |`);
    }
  });

  it.each([
    [{}, 1],
    [{ LAUNCH_WRITERS: '3' }, 1],
    [{ DATABASE_URL: 'mysql://db/switchboard' }, 2],
    [{ DATABASE_URL: 'mysql://db/switchboard', LAUNCH_WRITERS: '1' }, 1],
    [{ DATABASE_URL: 'mysql://db/switchboard', LAUNCH_WRITERS: '4' }, 4],
  ])('writes a launch over two connections on MariaDB and one on SQLite: %j', (env, writers) => {
    expect(loadConfig({ CARRIER_SIMULATOR: 'on', ...env }).launchPlanning.writers).toBe(writers);
  });

  it.each([
    [{ PORT: 'eighty' }, /^PORT /],
    [{ PORT: '70000' }, /^PORT /],
    [{ DATABASE_URL: 'postgres://x/y' }, /^DATABASE_URL /],
    [{ DATABASE_URL: 'mysql://host' }, /^DATABASE_URL /],
    [{ LOG_LEVEL: 'verbose' }, /^LOG_LEVEL /],
    [{ TWILIO_ACCOUNT_SID: 'AC' + 'a'.repeat(32) }, /^TWILIO_AUTH_TOKEN /],
    [{ TWILIO_ACCOUNT_SID: 'nope', TWILIO_AUTH_TOKEN: 'x' }, /^TWILIO_ACCOUNT_SID /],
    [{ PUBLIC_URL: 'not a url' }, /^PUBLIC_URL /],
    [{ TWILIO_API_BASE_URL: 'ftp://x' }, /^TWILIO_API_BASE_URL /],
    [{ REDIS_URL: '::' }, /^REDIS_URL /],
    [{ ADMIN_TOKEN: 'short' }, /^ADMIN_TOKEN /],
    [{ GRAPHQL_MAX_COST: '0' }, /^GRAPHQL_MAX_COST /],
    [{ GRAPHQL_TIMEOUT_MS: 'soon' }, /^GRAPHQL_TIMEOUT_MS /],
    [{ AUTH_FAILURE_LIMIT: '-1' }, /^AUTH_FAILURE_LIMIT /],
    [{ LIVE_EVENTS_MAX_BUFFERED_BYTES: 'lots' }, /^LIVE_EVENTS_MAX_BUFFERED_BYTES /],
    [{ LIVE_EVENTS_MAX_BUFFERED_BYTES: '0' }, /^LIVE_EVENTS_MAX_BUFFERED_BYTES /],
    [{ CARRIER_SIMULATOR: 'yes' }, /^CARRIER_SIMULATOR /],
    [{ LAUNCH_WRITERS: '0' }, /^LAUNCH_WRITERS /],
    [{ DATABASE_URL: 'mysql://db/switchboard', LAUNCH_WRITERS: '5' }, /^LAUNCH_WRITERS must be at most 4/],
    [{ CARRIER_SIMULATOR: 'off' }, /^TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set, or CARRIER_SIMULATOR=on/],
    [{ NODE_ENV: 'production', CARRIER_SIMULATOR: 'on' }, /^CARRIER_SIMULATOR=on is refused with NODE_ENV=production/],
    [{ NODE_ENV: 'production', CARRIER_SIMULATOR: undefined }, /^TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set with NODE_ENV=production/],
  ])('refuses %j with one line naming the variable', (overrides, pattern) => {
    // The simulator is on unless the row says otherwise, so that each row meets its own refusal.
    const env = { CARRIER_SIMULATOR: 'on', ...overrides };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as Error).message).toMatch(pattern);
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
