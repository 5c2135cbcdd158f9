"""Reports (issue 21): versioned report specs (schemas/report.schema.json) with history, drafts and
publishing, comments and @mentions, sharing, markdown import and export, and live collaboration."""
