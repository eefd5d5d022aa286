// The client half of the resumable upload protocol, as a test drives it: start, sign, PUT
// parts to the signed URLs over real HTTP, complete. Counts the parts it sends.
import { randomUUID } from 'node:crypto';
import type { UploadState } from '../../src/shared/api/schemas.js';
import { sha256 } from './files.js';
import type { World } from './world.js';

export interface UploadMeta {
  patientId: string;
  category?: string;
  title?: string;
  fileName: string;
  contentType: string;
  batchId?: string;
  encounterId?: string;
}

export class TestUploader {
  partsSent = 0;
  constructor(
    private readonly w: World,
    private readonly token: string,
  ) {}

  async start(bytes: Uint8Array, meta: UploadMeta, id = randomUUID()) {
    const res = await this.w.call(this.token, 'POST', '/api/v1/uploads', {
      id,
      category: 'other',
      title: meta.fileName,
      size: bytes.length,
      sha256: sha256(bytes),
      ...meta,
    });
    return res;
  }

  async state(id: string): Promise<UploadState> {
    const res = await this.w.call(this.token, 'GET', `/api/v1/uploads/${id}`);
    if (res.statusCode !== 200) throw new Error(`state ${id}: ${res.body}`);
    return res.json();
  }

  /** Sends the given parts (1-based) and returns their ETags. */
  async sendParts(state: UploadState, bytes: Uint8Array, partNumbers: number[]) {
    const signed = await this.w.call(this.token, 'POST', `/api/v1/uploads/${state.id}/parts/sign`, {
      partNumbers,
    });
    if (signed.statusCode !== 200) throw new Error(`sign: ${signed.body}`);
    const etags = new Map<number, string>();
    for (const { partNumber, url } of signed.json().parts as {
      partNumber: number;
      url: string;
    }[]) {
      const start = (partNumber - 1) * state.partSize;
      const body = bytes.subarray(start, Math.min(start + state.partSize, bytes.length));
      const res = await fetch(url, { method: 'PUT', body });
      if (!res.ok) throw new Error(`PUT part ${partNumber}: ${res.status} ${await res.text()}`);
      this.partsSent++;
      etags.set(partNumber, res.headers.get('etag')!);
    }
    return etags;
  }

  complete(id: string, etags: Map<number, string>) {
    return this.w.call(this.token, 'POST', `/api/v1/uploads/${id}/complete`, {
      parts: [...etags].map(([partNumber, etag]) => ({ partNumber, etag })),
    });
  }

  /** The whole protocol in one go; answers the `complete` response. */
  async upload(bytes: Uint8Array, meta: UploadMeta, id = randomUUID()) {
    const started = await this.start(bytes, meta, id);
    if (started.statusCode >= 300) return started;
    const state: UploadState = started.json();
    const all = Array.from({ length: state.partCount }, (_, i) => i + 1);
    const etags = await this.sendParts(state, bytes, all);
    return this.complete(state.id, etags);
  }
}
