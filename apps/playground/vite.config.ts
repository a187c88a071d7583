import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { datasetsPlugin } from './build/datasets-plugin.ts';

export default defineConfig({
  // Relative asset URLs: dist/ works from any path on any static server.
  base: './',
  plugins: [react(), datasetsPlugin(fileURLToPath(new URL('../../examples/data', import.meta.url)))],
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
});
