// Keeps the upload store connected to main while a component that shows it is mounted.
import { useEffect } from 'react';
import { useUploads } from './store.js';

export function useUploadsConnection(): void {
  useEffect(() => useUploads.getState().connect(), []);
}
