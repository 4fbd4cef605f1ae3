// Session and web-contents hardening: offline by construction (every request that is not to the
// app's own origin is cancelled), the CSP on every response, every permission denied, no
// navigation away, no new windows, no webviews.
import type { App, Session, WebContents } from 'electron';
import { SECURITY_HEADERS } from '../../shared/csp.ts';
import { APP_ORIGIN } from './channels.ts';

/** URLs the renderer may load: the app's own origin, and inline data it created itself. */
export function isAllowedUrl(url: string): boolean {
  return url.startsWith(`${APP_ORIGIN}/`) || url === APP_ORIGIN || url.startsWith('data:') || url.startsWith('blob:app://');
}

export function isAppUrl(url: string): boolean {
  return url.startsWith(`${APP_ORIGIN}/`) || url === APP_ORIGIN;
}

export function hardenSession(session: Session): void {
  session.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedUrl(details.url) });
  });
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, ...Object.fromEntries(Object.entries(SECURITY_HEADERS).map(([k, v]) => [k, [v]])) } });
  });
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  // No proxy: nothing leaves the machine, even if a request slipped past the filter.
  void session.setProxy({ mode: 'direct' });
}

export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

export function hardenApp(app: App): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
}
