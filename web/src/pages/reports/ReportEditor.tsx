// The report editor: TipTap with StarterKit's markdown shortcuts, code blocks highlighted by
// lowlight, @-mentions of the report's readers, KaTeX, callouts, media, a table of contents and
// live panel grids; "/" inserts any block and the grip beside a block drags it. Save PUTs the spec
// with the version it started from: a 409 means someone saved in between, shown as a banner that
// offers their version or overwriting it. With `collab` (collab/'s Yjs session) the document is
// the shared Y.Doc and carets show who is where; without it, local undo history.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link } from "react-router";
import { EditorContent, useEditor } from "@tiptap/react";
import { DragHandle } from "@tiptap/extension-drag-handle-react";
import { ApiError } from "../../api/client";
import { ErrorBanner } from "../../components/status";
import { getReport, mentionable, publishReport, saveReport, type Anchor, type Report } from "./api";
import { editorAnchor } from "./comments/editorAnchor";
import { CommentHighlights, setCommentHighlights } from "./comments/editorHighlights";
import type { Anchored } from "./comments/useCommentHighlights";
import { editorExtensions, type CollabSession, type MentionUser } from "./editor/extensions";
import { nodeViews } from "./editor/nodeViews";
import { slashItems, type SlashItem } from "./editor/slashItems";
import { SuggestionMenu, SuggestionStore } from "./editor/suggestionMenu";
import { docToSpec, specToDoc, type PmNode, type ReportSpec } from "./spec";
import { reportHref } from "./links";
import "./reports.css";

interface Props {
  report: Report;
  /** A collaboration session (collab/): the document syncs through it instead of local history. */
  collab?: CollabSession;
  /** Called with the report as saved or published. */
  onSaved?: (r: Report) => void;
  /** Extra controls for the header (comments, share). */
  actions?: React.ReactNode;
  /** Where a comment would anchor: the block the caret is in, with the text selected in it. */
  onAnchor?: (anchor: Anchor | null) => void;
  /** Open comment threads whose text ranges the editor marks, as the read-only view does. */
  comments?: readonly Anchored[];
}

const NO_COMMENTS: readonly Anchored[] = [];

type Conflict = { theirs: Report | null };

export default function ReportEditor({ report, collab, onSaved, actions, onAnchor, comments = NO_COMMENTS }: Props) {
  const [title, setTitle] = useState(report.title);
  const [base, setBase] = useState(report.version);
  const [state, setState] = useState(report.state);
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [savedAt, setSavedAt] = useState<Date | null>(null);

  const slash = useMemo(() => ({ items: slashItems(`${report.entity}/${report.project}`), store: new SuggestionStore<SlashItem>() }), [report.entity, report.project]);
  const mention = useMemo(() => ({ search: (q: string) => mentionable(report.id, q).then((r) => (Array.isArray(r) ? r : ((r as { users?: MentionUser[] }).users ?? []))), store: new SuggestionStore<MentionUser>() }), [report.id]);
  const anchorRef = useRef(onAnchor);
  useEffect(() => {
    anchorRef.current = onAnchor;
  }, [onAnchor]);

  const editor = useEditor(
    {
      extensions: [...editorExtensions({ views: nodeViews, slash, mention, collab }), CommentHighlights],
      // With collaboration the Y.Doc holds the content (collab/ seeds it from the spec).
      content: collab ? undefined : (specToDoc(report.spec) as object),
      injectCSS: false, // the CSP allows no <style> element: reports.css carries ProseMirror's rules
      shouldRerenderOnTransaction: false,
      editorProps: { attributes: { class: "report-doc report-doc-edit", "aria-label": "Report body" } },
      onUpdate: () => setDirty(true),
      onSelectionUpdate: ({ editor: ed }) => anchorRef.current?.(editorAnchor(ed.state)),
    },
    [collab, report.id],
  );

  useEffect(() => {
    if (editor && !editor.isDestroyed) editor.view.dispatch(setCommentHighlights(editor.state.tr, comments, null));
  }, [editor, comments]);

  const specNow = useCallback((): ReportSpec => {
    const { blocks: _b, ...rest } = report.spec;
    void _b;
    const spec = docToSpec(editor!.getJSON() as PmNode, { ...rest, title });
    // The editor always keeps an empty paragraph last (to type below a block): it is not content.
    const last = spec.blocks[spec.blocks.length - 1];
    if (last?.type === "paragraph" && last.text.length === 0) spec.blocks.pop();
    return spec;
  }, [editor, report.spec, title]);

  const save = async (baseVersion = base): Promise<Report | null> => {
    if (!editor) return null;
    setSaving(true);
    setError(null);
    try {
      const saved = await saveReport(report.id, { spec: specNow(), title, base_version: baseVersion });
      setBase(saved.version);
      setState(saved.state);
      setDirty(false);
      setConflict(null);
      setSavedAt(new Date());
      onSaved?.(saved);
      return saved;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409) setConflict({ theirs: await getReport(report.id).catch(() => null) });
      else setError(e);
      return null;
    } finally {
      setSaving(false);
    }
  };

  const publish = async () => {
    if (dirty && !(await save())) return;
    try {
      const r = await publishReport(report.id);
      setState(r.state);
      onSaved?.(r);
    } catch (e) {
      setError(e);
    }
  };

  const takeTheirs = () => {
    const theirs = conflict?.theirs;
    if (!theirs || !editor) return;
    editor.commands.setContent(specToDoc(theirs.spec) as object);
    setTitle(theirs.title);
    setBase(theirs.version);
    setDirty(false);
    setConflict(null);
  };

  return (
    <div className="report-editor" data-report-id={report.id}>
      <div className="report-toolbar">
        <Link to={reportHref(report)} className="muted small">
          ← View
        </Link>
        <span className={`badge report-state-${state}`} data-testid="report-state">
          {state === "draft" ? "Draft" : "Published"}
        </span>
        <span className="muted small" data-testid="report-version">
          v{base}
          {dirty ? " · unsaved changes" : savedAt ? " · saved" : ""}
        </span>
        <span className="grow" />
        {actions}
        <button className="btn" onClick={() => void save()} disabled={saving || !editor} data-testid="report-save">
          {saving ? "Saving…" : "Save"}
        </button>
        {state === "draft" && (
          <button className="btn btn-primary" onClick={() => void publish()} disabled={saving}>
            Publish
          </button>
        )}
      </div>
      {conflict && (
        <div className="warning-banner report-conflict" role="alert" data-testid="report-conflict">
          Someone saved this report since you opened it{conflict.theirs ? ` (now v${conflict.theirs.version} by ${conflict.theirs.owner})` : ""}.
          <button className="btn btn-small" onClick={takeTheirs} disabled={!conflict.theirs}>
            Load their version
          </button>
          <button className="btn btn-small" onClick={() => conflict.theirs && void save(conflict.theirs.version)} disabled={!conflict.theirs}>
            Overwrite with mine
          </button>
        </div>
      )}
      <ErrorBanner error={error} />
      <input className="report-title-input" value={title} onChange={(e) => (setTitle(e.target.value), setDirty(true))} placeholder="Untitled report" aria-label="Report title" />
      <div className="report-doc-wrap">
        {editor && (
          <DragHandle editor={editor} className="report-drag-handle">
            <span title="Drag to move" aria-label="Drag to move">
              ⋮⋮
            </span>
          </DragHandle>
        )}
        <EditorContent editor={editor} />
      </div>
      <p className="muted small report-hint">Type “/” to insert a block, “#” for a heading, “```” for code, “$$ ” for an equation, “@” to mention someone.</p>
      <SuggestionMenu
        store={slash.store}
        label="Insert block"
        render={(item) => (
          <span className="report-slash-item" data-slash={item.id}>
            {item.title}
            {item.hint && <kbd>{item.hint}</kbd>}
          </span>
        )}
      />
      <SuggestionMenu store={mention.store} label="Mention" empty="Nobody matches" render={(u) => <span data-mention-option={u.username}>@{u.username} <span className="muted small">{u.name}</span></span>} />
    </div>
  );
}
