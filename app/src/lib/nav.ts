import type { Role } from './api/types';

/** One entry of the top navigation; `roles` limits who sees it (all signed-in users when absent). */
export interface NavItem {
  href: string;
  /** i18n key of the label */
  label: string;
  roles?: Role[];
}

/** A group of entries shown as one menu button (keeps the bar on one line at 1280 px). */
export interface NavGroup {
  group: string;
  /** i18n key of the group's label */
  label: string;
  items: NavItem[];
}

export const navItems: (NavItem | NavGroup)[] = [
  { href: '/answers', label: 'nav.answers' },
  { href: '/review', label: 'nav.review', roles: ['reviewer', 'admin'] },
  { href: '/assist', label: 'nav.assist' },
  { href: '/chat', label: 'nav.chat' },
  { href: '/analytics', label: 'nav.analytics', roles: ['reviewer', 'admin'] },
  { href: '/transfer', label: 'nav.transfer', roles: ['editor', 'reviewer', 'admin'] },
  {
    group: 'admin',
    label: 'nav.admin',
    items: [
      { href: '/admin/categories', label: 'nav.categories', roles: ['reviewer', 'admin'] },
      { href: '/admin/users', label: 'nav.users', roles: ['admin'] },
      { href: '/admin/api-keys', label: 'nav.apiKeys', roles: ['admin'] },
      { href: '/admin/audit', label: 'nav.audit', roles: ['admin'] },
    ],
  },
];

export const isGroup = (n: NavItem | NavGroup): n is NavGroup => 'group' in n;

/** The entries a role sees; groups keep only their visible items and vanish when empty. */
export function visibleNav(role: Role | undefined): (NavItem | NavGroup)[] {
  const allowed = (n: NavItem) => !n.roles || (!!role && n.roles.includes(role));
  return navItems.flatMap((n): (NavItem | NavGroup)[] => {
    if (!isGroup(n)) return allowed(n) ? [n] : [];
    const items = n.items.filter(allowed);
    return items.length ? [{ ...n, items }] : [];
  });
}
