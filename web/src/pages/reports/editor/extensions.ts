// The editor's extension list. `schemaExtensions` is what the document is made of (the unit tests
// build the same schema from it); `editorExtensions` adds the "/" menu, @-mentions and either local
// undo history or, given a collaboration session (collab/, helper D's provider), Yjs sync and carets.
import { Extension, type AnyExtension } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import CodeBlockLowlight from "@tiptap/extension-code-block-lowlight";
import Mention from "@tiptap/extension-mention";
import Collaboration from "@tiptap/extension-collaboration";
import CollaborationCaret from "@tiptap/extension-collaboration-caret";
import Suggestion from "@tiptap/suggestion";
import { PluginKey } from "@tiptap/pm/state";
import type * as Y from "yjs";
import { lowlight } from "../render/highlight";
import { reportNodes, SpecAttributes, type NodeViews } from "./nodes";
import type { SlashItem } from "./slashItems";
import { filterSlashItems } from "./slashItems";
import type { SuggestionStore } from "./suggestionMenu";

/** What the editor needs of a collaboration session; the provider is collab/'s (awareness included). */
export interface CollabSession {
  ydoc: Y.Doc;
  provider: { awareness: unknown };
  user: { name: string; color?: string };
  /** the Y.XmlFragment's name in `ydoc` (default "default") */
  field?: string;
}

export interface MentionUser {
  username: string;
  name: string;
}

type MentionSuggestion = NonNullable<Parameters<typeof Mention.configure>[0]>["suggestion"];

const mentionNode = (suggestion?: MentionSuggestion) =>
  Mention.configure({
    HTMLAttributes: { class: "mention" },
    // The label is the run's text as the spec keeps it ("@ana"), so it is shown as is.
    renderText: ({ node }) => String(node.attrs.label ?? `@${node.attrs.id}`),
    renderHTML: ({ node, options }) => ["span", { ...options.HTMLAttributes, "data-mention": node.attrs.id }, String(node.attrs.label ?? `@${node.attrs.id}`)],
    ...(suggestion ? { suggestion } : {}),
  });

export function schemaExtensions(views: NodeViews = {}, opts: { history?: boolean; mention?: AnyExtension } = {}): AnyExtension[] {
  return [
    StarterKit.configure({
      codeBlock: false,
      heading: { levels: [1, 2, 3] },
      link: { openOnClick: false, autolink: true, protocols: ["http", "https", "mailto"] },
      ...(opts.history === false ? { undoRedo: false as const } : {}),
    }),
    CodeBlockLowlight.configure({ lowlight, defaultLanguage: null }),
    SpecAttributes,
    opts.mention ?? mentionNode(),
    ...reportNodes(views),
  ];
}

interface EditorOptions {
  views: NodeViews;
  slash: { items: SlashItem[]; store: SuggestionStore<SlashItem> };
  mention: { search: (q: string) => Promise<MentionUser[]>; store: SuggestionStore<MentionUser> };
  collab?: CollabSession;
}

export function editorExtensions({ views, slash, mention, collab }: EditorOptions): AnyExtension[] {
  const SlashCommands = Extension.create({
    name: "slashCommands",
    addProseMirrorPlugins() {
      return [
        Suggestion<SlashItem, SlashItem>({
          editor: this.editor,
          pluginKey: new PluginKey("slashCommands"),
          char: "/",
          allowSpaces: true,
          startOfLine: false,
          items: ({ query }) => filterSlashItems(slash.items, query),
          command: ({ editor, range, props }) => props.insert(editor.chain().focus().deleteRange(range)).run(),
          render: slash.store.render,
        }),
      ];
    },
  });
  const mentions = mentionNode({
    char: "@",
    items: ({ query }: { query: string }) => mention.search(query).catch(() => []),
    render: mention.store.render,
    command: ({ editor, range, props }: { editor: import("@tiptap/core").Editor; range: import("@tiptap/core").Range; props: MentionUser }) =>
      editor
        .chain()
        .focus()
        .insertContentAt(range, [
          { type: "mention", attrs: { id: props.username, label: `@${props.username}` } },
          { type: "text", text: " " },
        ])
        .run(),
  } as unknown as MentionSuggestion);
  const out = [...schemaExtensions(views, { history: !collab, mention: mentions }), SlashCommands];
  if (collab) {
    out.push(
      Collaboration.configure({ document: collab.ydoc, field: collab.field ?? "default" }),
      CollaborationCaret.configure({ provider: collab.provider, user: collab.user }),
    );
  }
  return out;
}
