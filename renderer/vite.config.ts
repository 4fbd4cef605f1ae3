import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = new URL('.', import.meta.url).pathname;

// The renderer is served from app://assay/ in Electron and from the loopback host: relative
// asset URLs, no inline scripts (the CSP forbids them), no module-preload polyfill.
export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: `${here}../dist/renderer`,
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    sourcemap: true,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 2000,
  },
});
