import { mergeAttributes, Node } from '@tiptap/core';

export type CalloutKind = 'info' | 'warning';

declare module '@tiptap/core' {
  interface Commands<ReturnType> {
    callout: {
      /** Wraps the selected blocks in a callout of this kind, or unwraps them when they are in one. */
      toggleCallout: (kind: CalloutKind) => ReturnType;
    };
  }
}

/**
 * A highlighted block for what customers must not miss ("注意：挂失前请先冻结账户"): an info or
 * warning box around paragraphs and lists. Part of the answer schema on both sides (the server's
 * src/answers/rich-text.ts and the editor app), stored as <aside class="callout" data-callout="warning">.
 */
export const Callout = Node.create({
  name: 'callout',
  group: 'block',
  content: '(paragraph | bulletList | orderedList)+',
  defining: true,
  addAttributes() {
    return {
      kind: {
        default: 'info',
        parseHTML: (el) => (el.getAttribute('data-callout') === 'warning' ? 'warning' : 'info'),
        renderHTML: (attrs) => ({ 'data-callout': attrs.kind === 'warning' ? 'warning' : 'info' }),
      },
    };
  },
  parseHTML() {
    return [{ tag: 'aside[data-callout]' }];
  },
  renderHTML({ HTMLAttributes }) {
    return ['aside', mergeAttributes({ class: 'callout' }, HTMLAttributes), 0];
  },
  addCommands() {
    return {
      toggleCallout:
        (kind) =>
        ({ commands, editor }) =>
          editor.isActive(this.name) ? commands.lift(this.name) : commands.wrapIn(this.name, { kind }),
    };
  },
});
