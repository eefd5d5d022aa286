// Annotation changes made while the server cannot be reached: kept in order in a durable outbox
// beside the upload queue, sent when the server answers again, and never dropped silently. A
// change the server will not take as it was — the annotation changed or was deleted there
// meanwhile (409, 404), or it was refused — becomes a conflict that keeps both versions until
// the user chooses one. Annotations made offline get their id here; once the server has made
// its own, later changes to the client's id go to the server's.
//
// The outbox holds clinical content, so it is encrypted at rest (AES-256-GCM) under a key kept
// in the SecretStore, and written whole and atomically on every change (write, fsync, rename):
// a crash leaves the old state or the new one, never a torn file.
import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { z } from 'zod';
import {
  Annotation,
  AnnotationContent,
  ANNOTATION_KINDS,
} from '../../../shared/api/annotations.js';
import type { AnnotationConflictItem } from '../../../shared/ipc/offline.js';
import { AnnotationConflictItem as ConflictSchema } from '../../../shared/ipc/offline.js';
import type { AnnotationCreateInput, AnnotationUpdateInput } from '../../../shared/ipc/records.js';
import { Listeners } from '../../listeners.js';
import { ApiProblemError, OfflineError, type ApiHttp } from '../api/http.js';
import { writeFileAtomic } from '../fs/atomic-file.js';
import type { SecretStore } from '../secrets/secret-store.js';

/** The SecretStore entry holding the outbox key (base64). */
export const OUTBOX_KEY_SECRET = 'annotation-outbox-key';

const MAGIC = Buffer.from('MDAO', 'latin1');
const FORMAT = 1;
const AAD = Buffer.from('medaius annotation outbox v1');

const Kind = z.enum(ANNOTATION_KINDS);
/** What every change carries: which annotation, when, and by whom. */
const Change = z.object({
  annotationId: z.string(),
  documentId: z.string(),
  madeAt: z.string(),
  /** the user who made the change; it is sent only with their sign-in */
  by: z.string().nullable().default(null),
});
const Drawn = { type: Kind, pageNumber: z.number().int(), content: AnnotationContent };
const Op = z.discriminatedUnion('kind', [
  Change.extend({ kind: z.literal('create'), ...Drawn }),
  Change.extend({ kind: z.literal('update'), baseVersion: z.number().int(), ...Drawn }),
  Change.extend({ kind: z.literal('delete'), baseVersion: z.number().int() }),
]);
type Op = z.infer<typeof Op>;

const State = z.object({
  version: z.literal(1),
  ops: z.array(Op),
  /** client id of an annotation made offline → the id the server gave it */
  ids: z.record(z.string(), z.string()),
  conflicts: z.array(ConflictSchema),
});
type State = z.infer<typeof State>;

export interface OutboxUser {
  id: string;
  name: string;
}

export type OutboxEvent =
  { type: 'changed' } | { type: 'conflicts'; items: AnnotationConflictItem[] };

export interface FlushResult {
  sent: number;
  conflicts: number;
  /** the server could not be reached (or the sign-in ended) before every change went */
  stopped: boolean;
}

/** An annotation changed on the server again while its conflict was being resolved. */
export class OutboxConflictError extends Error {
  override name = 'OutboxConflictError';
  readonly code = 'conflict';
}

export class AnnotationOutbox {
  readonly #listeners = new Listeners<OutboxEvent>();
  #state: State;
  #chain: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly key: Buffer,
    state: State,
    private readonly clock: () => Date,
  ) {
    this.#state = state;
  }

  /**
   * Opens the outbox in `file`. One that cannot be read (its key is lost, or it is damaged) is
   * moved aside, not deleted, and named in `problem`.
   */
  static async open(o: {
    file: string;
    secrets: SecretStore;
    clock?: () => Date;
  }): Promise<{ outbox: AnnotationOutbox; problem: string | null }> {
    const clock = o.clock ?? (() => new Date());
    let key: Buffer | null = null;
    const saved = await o.secrets.get(OUTBOX_KEY_SECRET);
    if (saved) key = Buffer.from(saved, 'base64');
    if (!key || key.length !== 32) {
      key = randomBytes(32);
      await o.secrets.set(OUTBOX_KEY_SECRET, key.toString('base64'));
    }
    let state: State = { version: 1, ops: [], ids: {}, conflicts: [] };
    let problem: string | null = null;
    let sealed: Buffer | null = null;
    try {
      sealed = await readFile(o.file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (sealed) {
      const read = unseal(key, sealed);
      if (read) {
        state = read;
      } else {
        const aside = `${o.file}.unreadable-${clock().toISOString().replace(/[:.]/g, '-')}`;
        await rename(o.file, aside);
        problem = `Annotation changes made offline could not be read (their key is lost or the file ${o.file} is damaged); the file was kept as ${aside}.`;
      }
    }
    return { outbox: new AnnotationOutbox(o.file, key, state, clock), problem };
  }

  subscribe(listener: (event: OutboxEvent) => void): () => void {
    return this.#listeners.add(listener);
  }

  /** Changes waiting to be sent. */
  pending(): number {
    return this.#state.ops.length;
  }

  conflicts(): AnnotationConflictItem[] {
    return structuredClone(this.#state.conflicts);
  }

  /** The server's id for an annotation made offline, once it has one. */
  serverIdOf(id: string): string {
    return this.#state.ids[id] ?? id;
  }

  /** The document of an annotation made or changed offline whose change is not sent yet. */
  documentOfWaiting(id: string): string | null {
    const serverId = this.serverIdOf(id);
    const op = this.#state.ops.find(
      (o) => o.kind !== 'delete' && this.serverIdOf(o.annotationId) === serverId,
    );
    return op?.documentId ?? null;
  }

  /** `base` (the document's annotations as last seen) with the changes waiting here applied. */
  overlay(documentId: string, base: Annotation[], user: OutboxUser | null): Annotation[] {
    const byId = new Map(base.map((a) => [a.id, a]));
    for (const op of this.#state.ops) {
      if (op.documentId !== documentId) continue;
      const id = this.serverIdOf(op.annotationId);
      if (op.kind === 'delete') {
        byId.delete(id);
      } else if (op.kind === 'update') {
        const current = byId.get(id);
        if (current)
          byId.set(
            id,
            withChange(current, { pageNumber: op.pageNumber, content: op.content }, op.madeAt),
          );
      } else {
        byId.set(id, this.#localAnnotation(op, user));
      }
    }
    return [...byId.values()];
  }

  /** Queues a new annotation; resolves with it as the viewer shows it until it is sent. */
  queueCreate(input: AnnotationCreateInput, user: OutboxUser | null): Promise<Annotation> {
    const by = user?.id ?? null;
    return this.#change(() => {
      const op: Op = {
        kind: 'create',
        annotationId: randomUUID(),
        documentId: input.documentId,
        type: input.type,
        pageNumber: input.pageNumber,
        content: input.content,
        madeAt: this.#now(),
        by,
      };
      this.#state.ops.push(op);
      return this.#localAnnotation(op, user);
    });
  }

  /** Queues a change of `current` (the annotation as the viewer has it). */
  queueUpdate(
    input: AnnotationUpdateInput,
    current: Annotation,
    user: OutboxUser | null,
  ): Promise<Annotation> {
    return this.#change(() => {
      const madeAt = this.#now();
      const pageNumber = input.pageNumber ?? current.pageNumber;
      const content = input.content ?? current.content;
      const id = this.serverIdOf(input.id);
      const waiting = this.#state.ops.find(
        (op) => op.kind !== 'delete' && this.serverIdOf(op.annotationId) === id,
      );
      if (waiting && waiting.kind !== 'delete') {
        // Still unsent: the one change (or the creation) now says the latest.
        waiting.pageNumber = pageNumber;
        waiting.content = content;
        waiting.madeAt = madeAt;
      } else {
        this.#state.ops.push({
          kind: 'update',
          annotationId: id,
          documentId: current.documentId,
          baseVersion: input.version,
          type: current.type,
          pageNumber,
          content,
          madeAt,
          by: user?.id ?? null,
        });
      }
      return withChange(current, { pageNumber, content }, madeAt);
    });
  }

  /** Queues a deletion; an annotation made offline and not sent yet simply goes. */
  queueDelete(
    input: { id: string; version: number },
    documentId: string,
    user: OutboxUser | null,
  ): Promise<void> {
    return this.#change(() => {
      const id = this.serverIdOf(input.id);
      const at = this.#state.ops.findIndex(
        (op) => op.kind !== 'delete' && this.serverIdOf(op.annotationId) === id,
      );
      const waiting = at >= 0 ? this.#state.ops[at]! : undefined;
      if (waiting?.kind === 'create') {
        this.#state.ops.splice(at, 1);
        return;
      }
      const baseVersion = waiting?.kind === 'update' ? waiting.baseVersion : input.version;
      if (at >= 0) this.#state.ops.splice(at, 1);
      this.#state.ops.push({
        kind: 'delete',
        annotationId: id,
        documentId,
        baseVersion,
        madeAt: this.#now(),
        by: user?.id ?? null,
      });
    });
  }

  /**
   * Sends the waiting changes in the order they were made. Stops at the first that cannot reach
   * the server (it stays first); one the server will not take becomes a conflict. Changes
   * another user made on this computer wait for their sign-in: sent with `userId`'s token they
   * would be recorded as `userId`'s.
   */
  flush(api: ApiHttp, userId: string | null): Promise<FlushResult> {
    return this.#exclusive(async () => {
      let sent = 0;
      let conflicts = 0;
      let at = 0;
      while (at < this.#state.ops.length) {
        const op = this.#state.ops[at]!;
        if (op.by && userId && op.by !== userId) {
          at++;
          continue;
        }
        try {
          await this.#send(api, op);
          sent++;
        } catch (error) {
          if (isStop(error)) return { sent, conflicts, stopped: true };
          if (!(error instanceof ApiProblemError)) throw error;
          const conflict = this.#conflictOf(op, error);
          if (conflict) {
            this.#state.conflicts.push(conflict);
            conflicts++;
          }
        }
        this.#state.ops.splice(at, 1);
        await this.#save();
        this.#emit(conflicts > 0);
      }
      return { sent, conflicts, stopped: false };
    });
  }

  /**
   * Ends a conflict: `theirs` keeps the server's version (nothing is sent); `mine` sends the
   * offline change over it. Resolves with the annotation as the server has it afterwards.
   */
  resolve(api: ApiHttp, id: string, keep: 'mine' | 'theirs'): Promise<Annotation | null> {
    return this.#exclusive(async () => {
      const conflict = this.#state.conflicts.find((c) => c.id === id);
      if (!conflict) {
        throw new Error(
          `There is no annotation conflict ${id}; it may have been resolved already.`,
        );
      }
      let outcome: Annotation | null = conflict.theirs;
      if (keep === 'mine') {
        try {
          outcome = await this.#applyMine(api, conflict);
        } catch (error) {
          if (error instanceof ApiProblemError && error.status === 409) {
            const current = Annotation.safeParse((error.problem as { current?: unknown })?.current);
            conflict.theirs = current.success ? current.data : conflict.theirs;
            conflict.detectedAt = this.#now();
            await this.#save();
            this.#emit(true);
            throw new OutboxConflictError(
              'The annotation changed on the server again while you were choosing. Look at its latest version and choose again.',
            );
          }
          throw error;
        }
      }
      this.#state.conflicts = this.#state.conflicts.filter((c) => c !== conflict);
      await this.#save();
      this.#emit(true);
      return outcome;
    });
  }

  async #applyMine(api: ApiHttp, c: AnnotationConflictItem): Promise<Annotation | null> {
    const mine = c.mine;
    if (mine.action === 'delete') {
      if (!c.theirs) return null;
      await api('DELETE', `/annotations/${c.annotationId}?version=${c.theirs.version}`);
      return null;
    }
    if (c.theirs) {
      return api('PATCH', `/annotations/${c.annotationId}`, {
        body: { version: c.theirs.version, pageNumber: mine.pageNumber, content: mine.content },
        schema: Annotation,
      });
    }
    // Deleted on the server (or never made there): made again, with a new id.
    return api('POST', `/documents/${c.documentId}/annotations`, {
      body: { type: mine.type, pageNumber: mine.pageNumber, content: mine.content },
      schema: Annotation,
    });
  }

  async #send(api: ApiHttp, op: Op): Promise<void> {
    if (op.kind === 'create') {
      // The client's id makes the create safe to send again after a crash mid-request.
      const made = await api('POST', `/documents/${op.documentId}/annotations`, {
        body: {
          id: op.annotationId,
          type: op.type,
          pageNumber: op.pageNumber,
          content: op.content,
        },
        schema: Annotation,
      });
      this.#state.ids[op.annotationId] = made.id;
    } else if (op.kind === 'update') {
      await api('PATCH', `/annotations/${this.serverIdOf(op.annotationId)}`, {
        body: { version: op.baseVersion, pageNumber: op.pageNumber, content: op.content },
        schema: Annotation,
      });
    } else {
      await api(
        'DELETE',
        `/annotations/${this.serverIdOf(op.annotationId)}?version=${op.baseVersion}`,
      );
    }
  }

  #conflictOf(op: Op, error: ApiProblemError): AnnotationConflictItem | null {
    // Deleted on the server already: what the user wanted has happened.
    if (op.kind === 'delete' && error.status === 404) return null;
    const current = Annotation.safeParse((error.problem as { current?: unknown })?.current);
    const reason =
      error.status === 409
        ? 'changed-on-server'
        : error.status === 404 && op.kind === 'update'
          ? 'deleted-on-server'
          : 'refused';
    return {
      id: randomUUID(),
      annotationId: this.serverIdOf(op.annotationId),
      documentId: op.documentId,
      reason,
      message:
        reason === 'changed-on-server'
          ? 'Someone changed this annotation on the server while you were offline.'
          : reason === 'deleted-on-server'
            ? 'Someone deleted this annotation on the server while you were offline.'
            : `The server did not accept the change made offline: ${error.detail}`,
      baseVersion: op.kind === 'create' ? null : op.baseVersion,
      mine:
        op.kind === 'delete'
          ? { action: 'delete' }
          : { action: op.kind, type: op.type, pageNumber: op.pageNumber, content: op.content },
      theirs: current.success ? current.data : null,
      madeAt: op.madeAt,
      detectedAt: this.#now(),
    };
  }

  #localAnnotation(op: Extract<Op, { kind: 'create' }>, user: OutboxUser | null): Annotation {
    return Annotation.parse({
      id: op.annotationId,
      documentId: op.documentId,
      pageNumber: op.pageNumber,
      type: op.type,
      content: op.content,
      version: 1,
      createdBy: user?.id ?? op.annotationId,
      createdByName: user?.name ?? 'You',
      createdAt: op.madeAt,
      updatedAt: op.madeAt,
    });
  }

  async #change<T>(apply: () => T): Promise<T> {
    return this.#exclusive(async () => {
      const before = structuredClone(this.#state);
      const result = apply();
      try {
        await this.#save();
      } catch (error) {
        this.#state = before;
        throw error;
      }
      this.#emit(false);
      return result;
    });
  }

  #save(): Promise<void> {
    return writeFileAtomic(this.file, seal(this.key, this.#state), { mode: 0o600 });
  }

  #emit(conflicts: boolean): void {
    this.#listeners.emit({ type: 'changed' });
    if (conflicts) this.#listeners.emit({ type: 'conflicts', items: this.conflicts() });
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(task);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  #now(): string {
    return this.clock().toISOString();
  }
}

function withChange(
  current: Annotation,
  change: { pageNumber: number; content: Annotation['content'] },
  at: string,
): Annotation {
  return Annotation.parse({ ...current, ...change, updatedAt: at });
}

/** The server is out of reach or the sign-in ended: the change waits, it is not refused. */
function isStop(error: unknown): boolean {
  return (
    error instanceof OfflineError || (error instanceof ApiProblemError && error.status === 401)
  );
}

function seal(key: Buffer, state: State): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(AAD);
  const body = Buffer.concat([cipher.update(JSON.stringify(state)), cipher.final()]);
  return Buffer.concat([MAGIC, Buffer.from([FORMAT]), nonce, body, cipher.getAuthTag()]);
}

function unseal(key: Buffer, sealed: Buffer): State | null {
  if (sealed.length < 33 || !sealed.subarray(0, 4).equals(MAGIC) || sealed[4] !== FORMAT) {
    return null;
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(5, 17));
    decipher.setAAD(AAD);
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    const plain = Buffer.concat([
      decipher.update(sealed.subarray(17, sealed.length - 16)),
      decipher.final(),
    ]);
    const parsed = State.safeParse(JSON.parse(plain.toString('utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
