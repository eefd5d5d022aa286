import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Argon2 hashing and real PostgreSQL databases make single tests slower than usual.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: run files in parallel but not more than the machine has.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.{ts,tsx}', 'test/integration/**/*.test.ts'],
        },
      },
      {
        // The built renderer in Debian's Chromium against the real desktop services and API.
        // After the other tests (groupOrder) and one file at a time: each file runs a whole
        // product — API, headless services, browser — on a two-core machine.
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/e2e/support/global-setup.ts'],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
