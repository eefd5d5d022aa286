// Signs and verifies the URLs the local backend hands out for its own endpoints (part uploads
// and file downloads), so they work without a bearer token and only for what they were issued.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';

/** Separates this use of the server's secret from its others (audit chain, sessions). */
const KEY_CONTEXT = 'medaius file urls v1';
const SIGNATURE_BYTES = 32;

export interface DownloadClaims {
  purpose: 'download';
  key: string;
  /** unix seconds */
  expires: number;
  documentId: string;
  disposition: 'inline' | 'attachment';
}

export interface PartClaims {
  purpose: 'upload-part';
  key: string;
  /** unix seconds */
  expires: number;
  uploadId: string;
  partNumber: number;
}

export type UrlClaims = DownloadClaims | PartClaims;

export type Verification = { ok: true } | { ok: false; reason: 'expired' | 'tampered' };

export class UrlSigner {
  readonly #key: Buffer;

  constructor(
    signingSecret: string,
    readonly clock: Clock = systemClock,
  ) {
    this.#key = createHmac('sha256', signingSecret).update(KEY_CONTEXT).digest();
  }

  /** Unix seconds `seconds` from now on the signer's clock. */
  expiryIn(seconds: number): number {
    return Math.floor(this.clock().getTime() / 1000) + seconds;
  }

  /** base64url signature over every claim. */
  sign(claims: UrlClaims): string {
    return this.#mac(claims).toString('base64url');
  }

  /**
   * Checks the signature first, in constant time, so an expired-but-altered URL reads as
   * tampered; only a URL that is exactly as issued can be reported as expired.
   */
  verify(claims: UrlClaims, signature: string): Verification {
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== SIGNATURE_BYTES || given.toString('base64url') !== signature) {
      return { ok: false, reason: 'tampered' };
    }
    if (!timingSafeEqual(given, this.#mac(claims))) return { ok: false, reason: 'tampered' };
    if (this.clock().getTime() >= claims.expires * 1000) return { ok: false, reason: 'expired' };
    return { ok: true };
  }

  #mac(claims: UrlClaims): Buffer {
    // A JSON array keeps field boundaries unambiguous whatever the values contain.
    const fields =
      claims.purpose === 'download'
        ? [claims.purpose, claims.key, claims.expires, claims.documentId, claims.disposition]
        : [claims.purpose, claims.key, claims.expires, claims.uploadId, claims.partNumber];
    return createHmac('sha256', this.#key).update(JSON.stringify(fields)).digest();
  }
}
