import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// Run with cwd = app/ (SvelteKit reads svelte.config.js from the working directory).
export default defineConfig({
  plugins: [sveltekit()],
  server: { proxy: { '/api': 'http://localhost:3000' } },
});
