import { defineConfig } from 'vite';

// Built into dist/, which the hub serves at / with a strict Content-Security-Policy: one script file and one
// stylesheet of our own, nothing inline, nothing from another origin.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, assetsInlineLimit: 0, modulePreload: { polyfill: false } },
  oxc: { jsx: { runtime: 'automatic' } },
});
