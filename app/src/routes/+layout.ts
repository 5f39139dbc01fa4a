// A client-side app: every page reads the JSON API with the session cookie, so there is nothing
// to render on the server.
export const ssr = false;
export const prerender = false;
