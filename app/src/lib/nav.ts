import type { Role } from './api/types';

/** One entry of the top navigation; `roles` limits who sees it (all signed-in users when absent). */
export interface NavItem {
  href: string;
  /** i18n key of the label */
  label: string;
  roles?: Role[];
}

// Issue 7 (assist, chat, analytics) adds its pages here.
export const navItems: NavItem[] = [
  { href: '/answers', label: 'nav.answers' },
  { href: '/review', label: 'nav.review', roles: ['reviewer', 'admin'] },
  { href: '/transfer', label: 'nav.transfer', roles: ['editor', 'reviewer', 'admin'] },
  { href: '/admin/audit', label: 'nav.audit', roles: ['admin'] },
  { href: '/admin/users', label: 'nav.users', roles: ['admin'] },
  { href: '/admin/api-keys', label: 'nav.apiKeys', roles: ['admin'] },
  { href: '/admin/categories', label: 'nav.categories', roles: ['reviewer', 'admin'] },
  { href: '/assist', label: 'nav.assist' },
  { href: '/chat', label: 'nav.chat' },
  { href: '/analytics', label: 'nav.analytics', roles: ['reviewer', 'admin'] },
];
