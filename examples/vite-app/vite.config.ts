import autodiff from '@autodiff/unplugin/vite';
import { defineConfig } from 'vite';

// `*.ad` files are compiled to gradient code at build time (and on save in `vite` dev).
export default defineConfig({
  base: './',
  plugins: [autodiff()],
});
