import type { Role, User } from './api/types';

const STAFF: Role[] = ['editor', 'reviewer', 'admin'];
const REVIEWERS: Role[] = ['reviewer', 'admin'];

/**
 * Who is signed in, and the CSRF token every cookie-session write must echo. When the session
 * expires mid-work, requests wait on `waitForRelogin()` while the LoginDialog shows over the page,
 * then retry: nothing the user typed is thrown away.
 */
class Session {
  user = $state<User | null>(null);
  csrfToken = $state<string | null>(null);
  /** True once GET /auth/me has answered (before that, pages do not know who is looking). */
  checked = $state(false);
  /** True while some request is waiting for the user to sign in again. */
  reloginPending = $state(false);
  #waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  get isStaff() {
    return !!this.user && STAFF.includes(this.user.role);
  }
  get canReview() {
    return !!this.user && REVIEWERS.includes(this.user.role);
  }
  get isAdmin() {
    return this.user?.role === 'admin';
  }

  signedIn(user: User, csrfToken: string) {
    this.user = user;
    this.csrfToken = csrfToken;
    this.checked = true;
    this.reloginPending = false;
    for (const w of this.#waiters.splice(0)) w.resolve();
  }

  signedOut() {
    this.user = null;
    this.csrfToken = null;
  }

  /** Resolves when the user has signed in again through the LoginDialog; rejects if they give up. */
  waitForRelogin(): Promise<void> {
    this.reloginPending = true;
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  cancelRelogin(reason: unknown) {
    this.reloginPending = false;
    for (const w of this.#waiters.splice(0)) w.reject(reason);
  }
}

export const session = new Session();
