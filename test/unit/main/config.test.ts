// MEDAIUS_API_URL: where the desktop client finds the companion API.
import { describe, expect, it } from 'vitest';
import {
  resolveApiBaseUrl,
  resolveWebSocketPort,
  settingsDefaultsFromEnv,
} from '../../../src/main/config.js';

describe('API base URL', () => {
  it('defaults to the local companion API and drops a trailing slash', () => {
    expect(resolveApiBaseUrl({})).toBe('http://127.0.0.1:4000');
    expect(resolveApiBaseUrl({ MEDAIUS_API_URL: 'https://records.example.org/api/' })).toBe(
      'https://records.example.org/api',
    );
  });

  it('rejects a value that is not an http(s) URL, naming the variable', () => {
    expect(() => resolveApiBaseUrl({ MEDAIUS_API_URL: 'not a url' })).toThrow(
      /MEDAIUS_API_URL is not a valid URL/,
    );
    expect(() => resolveApiBaseUrl({ MEDAIUS_API_URL: 'ftp://host/' })).toThrow(
      /must use http or https/,
    );
  });
});

describe('settings defaults from the environment', () => {
  it('make MEDAIUS_API_URL the server until the user chooses one, and nothing else', () => {
    expect(settingsDefaultsFromEnv({})).toEqual({});
    expect(settingsDefaultsFromEnv({ MEDAIUS_API_URL: 'http://127.0.0.1:4100/' })).toEqual({
      serverUrl: 'http://127.0.0.1:4100',
    });
  });
});

describe('headless WebSocket port', () => {
  it('defaults to a free port and refuses anything but a port number', () => {
    expect(resolveWebSocketPort({})).toBe(0);
    expect(resolveWebSocketPort({ MEDAIUS_WS_PORT: '4010' })).toBe(4010);
    expect(() => resolveWebSocketPort({ MEDAIUS_WS_PORT: '70000' })).toThrow(
      'MEDAIUS_WS_PORT must be a port number from 0 to 65535, got "70000".',
    );
    expect(() => resolveWebSocketPort({ MEDAIUS_WS_PORT: '-1' })).toThrow(/MEDAIUS_WS_PORT/);
  });
});
