import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: 'build' }),
    // The API lives in the same process under /api (src/server.ts), so the app calls it same-origin.
    alias: { $server: '../src' },
    // Content-Security-Policy of every page: SvelteKit adds a nonce (hash when prerendered) for its own
    // boot script, so no other script runs. frame-ancestors is appended per page by src/server.ts
    // (ZHIDA_FRAME_ANCESTORS for /assist, 'self' elsewhere).
    csp: {
      mode: 'auto',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:'],
        'font-src': ['self', 'data:'],
        'connect-src': ['self'],
        'object-src': ['none'],
        'base-uri': ['self'],
        'form-action': ['self'],
      },
    },
  },
};
