// Renderer entry: finds window.api and mounts the app shell. In the desktop app the preload has
// put window.api there. In a plain browser (end-to-end tests against the headless services) it
// is built over the WebSocket named by the page's `ws` parameter; the app's CSP forbids any
// connection, so that path cannot be taken inside the desktop window.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import './styles.css';

async function ensureApi(): Promise<void> {
  if ((window as Partial<Window>).api) return;
  const url = new URLSearchParams(window.location.search).get('ws');
  if (!url) {
    throw new Error(
      'window.api is missing: open this page in the desktop app, or in a browser with ?ws=<headless services URL>.',
    );
  }
  const { connectWebSocketApi } = await import('./lib/ws-api.js');
  window.api = await connectWebSocketApi(url);
}

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element to mount the app into.');

ensureApi().then(
  () =>
    createRoot(container).render(
      <StrictMode>
        <App />
      </StrictMode>,
    ),
  (error: unknown) => {
    container.textContent = error instanceof Error ? error.message : String(error);
  },
);
