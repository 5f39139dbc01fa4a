import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';

type Protocol = typeof import('../../app/src/routes/assist/embed-protocol.ts');
let originMatchers: Protocol['originMatchers'];
let parseHostMessage: Protocol['parseHostMessage'];

// App code compiles against the tsconfig SvelteKit generates (app/.svelte-kit); a fresh clone has
// none until the app is built or synced, so sync it (offline, ~1 s) before importing.
beforeAll(async () => {
  if (!existsSync('app/.svelte-kit/tsconfig.json')) execFileSync(process.execPath, ['../node_modules/@sveltejs/kit/svelte-kit.js', 'sync'], { cwd: 'app', stdio: 'ignore' });
  ({ originMatchers, parseHostMessage } = await import('../../app/src/routes/assist/embed-protocol.ts'));
});

// The assist panel's postMessage gatekeeping (app/src/routes/assist/embed-protocol.ts).
describe('assist embed protocol', () => {
  const self = 'https://zhida.bank.example';
  const allowed = (list: string, origin: string) => originMatchers(list, self).some((m) => m(origin));

  it('accepts exactly the origins of the frame-ancestors list', () => {
    const list = "'self' https://workbench.bank.example http://127.0.0.1:4100";
    expect(allowed(list, self)).toBe(true);
    expect(allowed(list, 'https://workbench.bank.example')).toBe(true);
    expect(allowed(list, 'http://127.0.0.1:4100')).toBe(true);
    expect(allowed(list, 'http://127.0.0.1:4101')).toBe(false);
    expect(allowed(list, 'https://workbench.bank.example.evil.test')).toBe(false);
    expect(allowed(list, 'http://workbench.bank.example')).toBe(false);
  });

  it('matches one label for a wildcard host and nothing for none', () => {
    expect(allowed('https://*.bank.example', 'https://crm.bank.example')).toBe(true);
    expect(allowed('https://*.bank.example', 'https://a.b.bank.example')).toBe(false);
    expect(allowed('https://*.bank.example', 'https://bank.example.evil.test')).toBe(false);
    expect(allowed("'none'", self)).toBe(false);
  });

  it('accepts only well-formed messages and trims what it keeps', () => {
    expect(parseHostMessage(null)).toBeNull();
    expect(parseHostMessage('zhida:conversation')).toBeNull();
    expect(parseHostMessage({ type: 'zhida:insert', answerId: 'x' })).toBeNull();
    expect(parseHostMessage({ type: 'zhida:conversation', messages: 'hi' })).toBeNull();
    const m = parseHostMessage({
      type: 'zhida:conversation',
      messages: [{ role: 'customer', text: '信用卡丢了' }, { role: 'system', text: '  ' }, { role: 'agent', text: '请稍等' }, { text: 42 }, { role: 'hacker', text: 'x'.repeat(5000) }],
    });
    expect(m).toEqual({
      type: 'zhida:conversation',
      messages: [{ role: 'customer', text: '信用卡丢了' }, { role: 'agent', text: '请稍等' }, { role: 'customer', text: 'x'.repeat(4000) }],
    });
    expect(parseHostMessage({ type: 'zhida:search', query: '年费' })).toEqual({ type: 'zhida:search', query: '年费' });
    expect(parseHostMessage({ type: 'zhida:auth', key: 'zk_live_0123456789abcdef' })).toEqual({ type: 'zhida:auth', key: 'zk_live_0123456789abcdef' });
    expect(parseHostMessage({ type: 'zhida:auth', key: 'short' })).toBeNull();
    expect(parseHostMessage({ type: 'zhida:auth', key: 'has a space in it, not a key' })).toBeNull();
  });
});
