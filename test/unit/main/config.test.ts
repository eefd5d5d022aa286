// MEDAIUS_API_URL: where the desktop client finds the companion API.
import { describe, expect, it } from 'vitest';
import { resolveApiBaseUrl } from '../../../src/main/config.js';

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
