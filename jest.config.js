/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFiles: ['reflect-metadata'],
  testTimeout: 60000,
  // One test file at a time (they boot servers and share the machine's databases), in a worker
  // that is replaced once it holds more than this after a file: in one process the heap grew by
  // about 50 MB a file (700 MB after 15 of them), and its garbage collection then took the event
  // loop from the servers under test until their carrier calls timed out.
  workerIdleMemoryLimit: '800MB',
};
