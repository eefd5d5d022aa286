// The document list over real HTTP with SQLite reader threads, as the server runs on a
// multi-core machine: each page's bytes are written by a reader thread and handed back to it
// for the next page once sent (src/server/db/read-pool.ts). Many lists at once, some of them
// abandoned mid-way, must each get their own patient's documents, whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorld, type World } from '../../support/world.js';

interface Listed {
  items: { id: string; patientId: string; title: string }[];
  nextCursor: string | null;
}

describe('document lists over HTTP with a reader thread', () => {
  let w: World;
  let token: string;
  const titles = new Map<string, Set<string>>();

  beforeAll(async () => {
    w = await createWorld('sqlite', { listen: true, readThreads: 1 });
    token = await w.login(w.a.users.clinician.email);
    for (const patientId of w.a.patients) {
      const set = new Set<string>();
      titles.set(patientId, set);
      for (let i = 0; i < 40; i++) {
        const title = `${patientId.slice(0, 8)} page ${i} ${'é'.repeat(i % 7)}`;
        set.add(title);
        w.time.advance(1000);
        await w.addDocument(w.a, patientId, { title, document_date: `2026-01-${10 + (i % 20)}` });
      }
    }
    // addDocument writes a few documents of its own for the first patient.
    const first = w.a.patients[0]!;
    const { items } = (await list(first, 100)).body;
    for (const item of items) titles.get(first)!.add(item.title);
  });
  afterAll(() => w?.close());

  async function list(patientId: string, limit: number, signal?: AbortSignal) {
    const res = await fetch(`${w.url()}/api/v1/documents?patientId=${patientId}&limit=${limit}`, {
      headers: { authorization: `Bearer ${token}` },
      signal,
    });
    return { status: res.status, body: (await res.json()) as Listed };
  }

  it("answers many lists at once, each with its own patient's documents", async () => {
    const patients = w.a.patients;
    const aborted: Promise<unknown>[] = [];
    const answers = Array.from({ length: 240 }, (_, i) => {
      const patientId = patients[i % patients.length]!;
      if (i % 10 === 0) {
        // A client that gives up: its page is never sent in full.
        const abort = new AbortController();
        aborted.push(list(patientId, 40, abort.signal).catch(() => 'aborted'));
        setTimeout(() => abort.abort(), i % 3);
      }
      return list(patientId, 5 + (i % 30)).then((answer) => ({
        patientId,
        limit: 5 + (i % 30),
        answer,
      }));
    });
    await Promise.all(aborted);
    for (const { patientId, limit, answer } of await Promise.all(answers)) {
      expect(answer.status).toBe(200);
      expect(answer.body.items).toHaveLength(limit);
      expect(answer.body.nextCursor).not.toBeNull();
      for (const item of answer.body.items) {
        expect(item.patientId).toBe(patientId);
        expect(titles.get(patientId)!.has(item.title)).toBe(true);
      }
      expect(new Set(answer.body.items.map((d) => d.id)).size).toBe(limit);
    }
  });
});
