import { ConfigError, loadConfig } from '../src/config';

describe('configuration', () => {
  it('defaults to SQLite, port 4000, the simulator and an in-process event bus', () => {
    const config = loadConfig({});
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
  ])('refuses %j with one line naming the variable', (env, pattern) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as Error).message).toMatch(pattern);
      expect((error as Error).message).not.toContain('\n');
    }
  });
});
