// OS notifications through the web Notification API, which Electron shows as native ones. Asks
// for permission once when it has not been decided; does nothing where notifications are not
// available or were refused, since the upload queue screen says the same thing anyway.

export interface NotificationMessage {
  title: string;
  body: string;
  /** a later notification with the same tag replaces the earlier one */
  tag?: string;
}

export type Notify = (message: NotificationMessage) => void;

export const showNotification: Notify = (message) => {
  const Notice = (globalThis as { Notification?: typeof Notification }).Notification;
  if (typeof Notice !== 'function') return;
  const show = () => {
    try {
      new Notice(message.title, {
        body: message.body,
        ...(message.tag ? { tag: message.tag } : {}),
      });
    } catch {
      // Some platforms only allow notifications from a service worker and throw here; the
      // upload queue screen shows the outcome regardless.
    }
  };
  if (Notice.permission === 'granted') {
    show();
  } else if (Notice.permission === 'default' && typeof Notice.requestPermission === 'function') {
    Promise.resolve(Notice.requestPermission()).then(
      (permission) => {
        if (permission === 'granted') show();
      },
      () => undefined,
    );
  }
};
