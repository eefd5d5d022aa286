// The destinations in the nav bar, their shortcuts, and which one a route belongs to.
import type { Route } from './navigation.js';

export const NAV_ITEMS = [
  { screen: 'patients', label: 'Patients', shortcut: '1' },
  { screen: 'inbox', label: 'Inbox', shortcut: '2' },
  { screen: 'uploads', label: 'Upload queue', shortcut: '3' },
  { screen: 'settings', label: 'Settings', shortcut: '4' },
] as const;

export type NavScreen = (typeof NAV_ITEMS)[number]['screen'];

/** A patient's documents and the viewer are part of "Patients". */
export function isCurrent(screen: NavScreen, route: Route): boolean {
  if (screen === 'patients') {
    return route.screen === 'patients' || route.screen === 'patient' || route.screen === 'viewer';
  }
  return route.screen === screen;
}

/** The destination for Ctrl+<key>, or undefined. */
export function shortcutTarget(key: string): NavScreen | undefined {
  return NAV_ITEMS.find((item) => item.shortcut === key)?.screen;
}
