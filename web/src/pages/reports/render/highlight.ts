// One lowlight instance with highlight.js's common languages, shared by the editor's code blocks
// and the read-only view.
import { common, createLowlight } from "lowlight";

export const lowlight = createLowlight(common);
