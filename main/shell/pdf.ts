// The desktop face's PDF renderer: a hidden, script-less, sandboxed window prints the report's
// self-contained HTML with Chromium's printToPDF.
import type * as Electron from 'electron';

export function makePdfRenderer(BrowserWindow: typeof Electron.BrowserWindow): (html: string) => Promise<Uint8Array> {
  return async (html) => {
    const win = new BrowserWindow({
      show: false,
      webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false, webSecurity: true },
    });
    try {
      await win.loadURL(`data:text/html;charset=utf-8;base64,${Buffer.from(html, 'utf8').toString('base64')}`);
      const pdf = await win.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
      return new Uint8Array(pdf);
    } finally {
      win.destroy();
    }
  };
}
