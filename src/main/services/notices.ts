// The notice board: problems met by background work, kept for the user until dismissed
// (src/shared/ipc/notices.ts). The same message again moves its notice to the top with the
// new time instead of piling up; beyond MAX_NOTICES the oldest go.
import { randomUUID } from 'node:crypto';
import type { Notice, NoticeList } from '../../shared/ipc/notices.js';

const MAX_NOTICES = 20;

export class NoticeBoard {
  private notices: Notice[] = [];
  private readonly listeners = new Set<(list: NoticeList) => void>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  list(): NoticeList {
    return { notices: [...this.notices] };
  }

  add(message: string): void {
    const same = this.notices.find((n) => n.message === message);
    const notice = { id: same?.id ?? randomUUID(), message, at: this.clock().toISOString() };
    this.notices = [notice, ...this.notices.filter((n) => n !== same)].slice(0, MAX_NOTICES);
    this.changed();
  }

  /** Removes one notice, or all of them without an id. */
  dismiss(id?: string): NoticeList {
    const before = this.notices.length;
    this.notices = id === undefined ? [] : this.notices.filter((n) => n.id !== id);
    if (this.notices.length !== before) this.changed();
    return this.list();
  }

  subscribe(listener: (list: NoticeList) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    const list = this.list();
    for (const listener of this.listeners) listener(list);
  }
}
