// Bundled by report-collab.e2e.ts into the signed-in page: a bare TipTap editor bound to a report's
// Y.Doc through ReportCollabProvider, with collaboration carets, so the test drives the provider and
// the server without depending on the rest of the report page.
import { Editor } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import Collaboration from "@tiptap/extension-collaboration";
import CollaborationCaret from "@tiptap/extension-collaboration-caret";
import * as Y from "yjs";
import { ReportCollabProvider } from "../../src/pages/reports/collab/provider";

interface Harness {
  doc: Y.Doc;
  provider: ReportCollabProvider;
  editor: Editor;
}

declare global {
  interface Window {
    collab?: Harness;
    startCollab: (reportId: string, name: string, transport: "auto" | "websocket" | "poll") => Promise<string>;
    appendMarker: (marker: string) => number;
    whenTextHas: (marker: string) => Promise<number>;
  }
}

window.startCollab = async (reportId, name, transport) => {
  const doc = new Y.Doc();
  const provider = new ReportCollabProvider(reportId, doc, { transport, pollWaitS: 20 });
  const element = document.createElement("div");
  element.id = "collab-editor";
  document.body.replaceChildren(element);
  const editor = new Editor({
    element,
    extensions: [
      StarterKit.configure({ undoRedo: false }),
      Collaboration.configure({ document: doc }),
      CollaborationCaret.configure({ provider, user: { name, color: "#d33" } }),
    ],
  });
  provider.connect();
  await provider.whenSynced();
  window.collab = { doc, provider, editor };
  return provider.status;
};

/** Types `marker` at the end of the document; returns the time it did (ms since the epoch). */
window.appendMarker = (marker) => {
  const { editor } = window.collab!;
  const at = Date.now();
  editor.chain().insertContentAt(editor.state.doc.content.size - 1, marker).run();
  return at;
};

/** When the editor's text first holds `marker` (ms since the epoch). */
window.whenTextHas = (marker) =>
  new Promise((ok) => {
    const { editor } = window.collab!;
    const check = () => {
      if (editor.getText().includes(marker)) {
        editor.off("update", check);
        ok(Date.now());
        return true;
      }
      return false;
    };
    if (!check()) editor.on("update", check);
  });
