// The outbox of annotation changes made offline, against the real API: changes to an annotation
// made offline fold into one create; one made and deleted offline never reaches the server;
// an edit of an annotation deleted on the server meanwhile, and a deletion of one changed there,
// come back as conflicts with both versions, and keeping mine puts mine on the server. An outbox
// whose key is lost is kept aside and named, not silently dropped.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiHttp, type ApiHttp } from '../../../src/main/services/api/http.js';
import { AnnotationOutbox } from '../../../src/main/services/offline/annotation-outbox.js';
import { PlaintextSecretStore } from '../../../src/main/services/secrets/plaintext.js';
import type { Annotation } from '../../../src/shared/api/annotations.js';
import { createWorld, type World } from '../../support/world.js';
import { temporaryDir, TEST_SECRETS_ENV } from '../../unit/main/fixtures.js';

let w: World;
let token: string;
let api: ApiHttp;
let folder: ReturnType<typeof temporaryDir>;
let documentId: string;
const user = { id: '00000000-0000-4000-8000-000000000001', name: 'Alpha clinician' };

const marker = (label: string) => ({ x: 0.5, y: 0.5, label, color: '#d01010' });
const labelOf = (a: Annotation) => (a.content as { label: string }).label;

async function onServer(): Promise<Annotation[]> {
  const res = await w.call(token, 'GET', `/api/v1/documents/${documentId}/annotations`);
  return res.json<{ items: Annotation[] }>().items;
}

async function made(label: string): Promise<Annotation> {
  const res = await w.call(token, 'POST', `/api/v1/documents/${documentId}/annotations`, {
    type: 'marker',
    pageNumber: 1,
    content: marker(label),
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Annotation>();
}

async function openOutbox(name: string, secretsFile = path.join(folder.dir, 'secrets.json')) {
  const secrets = new PlaintextSecretStore({ env: TEST_SECRETS_ENV, file: secretsFile });
  return AnnotationOutbox.open({ file: path.join(folder.dir, name), secrets });
}

beforeAll(async () => {
  w = await createWorld('sqlite', { listen: true });
  token = await w.login(w.a.users.clinician.email);
  api = createApiHttp({ baseUrl: () => w.url(), token: () => token, fetch: globalThis.fetch });
  documentId = w.a.documents.lab;
  folder = temporaryDir('medaius-outbox-');
});
afterAll(async () => {
  folder?.remove();
  await w?.close();
});

describe('annotation outbox', () => {
  it('folds edits of an annotation made offline into its creation, and drops one deleted offline', async () => {
    const { outbox } = await openOutbox('folds');
    const note = await outbox.queueCreate(
      { documentId, type: 'marker', pageNumber: 1, content: marker('first draft') },
      user,
    );
    await outbox.queueUpdate({ id: note.id, version: 1, content: marker('final') }, note, user);
    const scrap = await outbox.queueCreate(
      { documentId, type: 'marker', pageNumber: 2, content: marker('scrap') },
      user,
    );
    await outbox.queueDelete({ id: scrap.id, version: 1 }, documentId, user);
    expect(outbox.pending()).toBe(1);
    expect(outbox.overlay(documentId, [], user).map(labelOf)).toEqual(['final']);

    const before = (await onServer()).length;
    expect(await outbox.flush(api, user.id)).toEqual({ sent: 1, conflicts: 0, stopped: false });
    const after = await onServer();
    expect(after).toHaveLength(before + 1);
    const sent = after.find((a) => labelOf(a) === 'final')!;
    // The client's id now names the server's annotation.
    expect(outbox.serverIdOf(note.id)).toBe(sent.id);
    expect(after.some((a) => labelOf(a) === 'scrap')).toBe(false);
  });

  it('keeps an edit of an annotation deleted on the server, and makes it again when I keep mine', async () => {
    const { outbox } = await openOutbox('deleted-there');
    const original = await made('BP 140/90');
    await outbox.queueUpdate(
      { id: original.id, version: original.version, content: marker('BP 150/95') },
      original,
      user,
    );
    const gone = await w.call(token, 'DELETE', `/api/v1/annotations/${original.id}?version=1`);
    expect(gone.statusCode, gone.body).toBe(204);

    expect(await outbox.flush(api, user.id)).toEqual({ sent: 0, conflicts: 1, stopped: false });
    const [conflict] = outbox.conflicts();
    expect(conflict).toMatchObject({
      annotationId: original.id,
      reason: 'deleted-on-server',
      mine: { action: 'update', content: { label: 'BP 150/95' } },
      theirs: null,
      baseVersion: 1,
    });
    const again = await outbox.resolve(api, conflict!.id, 'mine');
    expect(again).toMatchObject({ content: { label: 'BP 150/95' } });
    expect((await onServer()).map(labelOf)).toContain('BP 150/95');
    expect(outbox.conflicts()).toEqual([]);
  });

  it('keeps a deletion of an annotation changed on the server, and deletes it when I keep mine', async () => {
    const { outbox } = await openOutbox('changed-there');
    const original = await made('Allergy: penicillin');
    await outbox.queueDelete({ id: original.id, version: 1 }, documentId, user);
    const changed = await w.call(token, 'PATCH', `/api/v1/annotations/${original.id}`, {
      version: 1,
      content: marker('Allergy: penicillin (confirmed)'),
    });
    expect(changed.statusCode, changed.body).toBe(200);

    await outbox.flush(api, user.id);
    const [conflict] = outbox.conflicts();
    expect(conflict).toMatchObject({
      reason: 'changed-on-server',
      mine: { action: 'delete' },
      theirs: { version: 2, content: { label: 'Allergy: penicillin (confirmed)' } },
    });
    // Reopened before choosing: the conflict is still there, both versions with it.
    const { outbox: reopened } = await openOutbox('changed-there');
    expect(reopened.conflicts()).toEqual([conflict]);
    expect(await reopened.resolve(api, conflict!.id, 'mine')).toBeNull();
    expect((await onServer()).some((a) => a.id === original.id)).toBe(false);
  });

  it('stops without losing anything when the server cannot be reached', async () => {
    const { outbox } = await openOutbox('unreachable');
    await outbox.queueCreate(
      { documentId, type: 'marker', pageNumber: 1, content: marker('waiting') },
      user,
    );
    const down = createApiHttp({
      baseUrl: () => 'http://127.0.0.1:9',
      token: () => token,
      fetch: globalThis.fetch,
    });
    expect(await outbox.flush(down, user.id)).toEqual({ sent: 0, conflicts: 0, stopped: true });
    expect(outbox.pending()).toBe(1);
    expect(await outbox.flush(api, user.id)).toMatchObject({ sent: 1, stopped: false });
  });

  it('sends a change only with the sign-in of the user who made it', async () => {
    const { outbox } = await openOutbox('two-users');
    const colleague = { id: '00000000-0000-4000-8000-000000000002', name: 'Alpha nurse' };
    await outbox.queueCreate(
      { documentId, type: 'marker', pageNumber: 1, content: marker('by a colleague') },
      colleague,
    );
    expect(await outbox.flush(api, user.id)).toEqual({ sent: 0, conflicts: 0, stopped: false });
    expect(outbox.pending()).toBe(1);
    expect((await onServer()).some((a) => labelOf(a) === 'by a colleague')).toBe(false);
    expect(await outbox.flush(api, colleague.id)).toMatchObject({ sent: 1 });
  });

  it('keeps an outbox it cannot read aside and says so', async () => {
    const { outbox } = await openOutbox('lost-key');
    await outbox.queueCreate(
      { documentId, type: 'marker', pageNumber: 1, content: marker('unsent') },
      user,
    );
    const { outbox: fresh, problem } = await openOutbox(
      'lost-key',
      path.join(folder.dir, 'other-secrets.json'),
    );
    expect(fresh.pending()).toBe(0);
    expect(problem).toMatch(/could not be read.*kept as/);
    const aside = readdirSync(folder.dir).filter((n) => n.startsWith('lost-key.unreadable-'));
    expect(aside).toHaveLength(1);
    expect(existsSync(path.join(folder.dir, aside[0]!))).toBe(true);
  });
});
