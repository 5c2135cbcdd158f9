// The head of a CSV or TSV file for the artifact file preview: the first rows of the first bytes.

export interface CsvHead {
  header: string[];
  rows: string[][];
  /** More rows exist (or may, past the bytes read) than are returned. */
  more: boolean;
}

/**
 * Parses RFC 4180 CSV (quoted fields, doubled quotes, newlines inside quotes) from `text`, keeping
 * at most `maxRows` rows after the header. When `truncated` (the text is the start of a larger
 * file), the last record is dropped unless it ended with a line break: it may be cut.
 */
export function parseCsvHead(text: string, opts: { maxRows: number; truncated: boolean; delimiter?: string }): CsvHead {
  const delim = opts.delimiter ?? ",";
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let ended = true; // the last record ended with a line break
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte-order mark is not part of the first name
  const limit = opts.maxRows + 1;
  for (; i < text.length && records.length <= limit; i++) {
    const c = text[i];
    ended = false;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === delim) {
      record.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      ended = true;
    } else field += c;
  }
  const stoppedEarly = i < text.length;
  if (!ended && !stoppedEarly && !(opts.truncated || quoted)) {
    record.push(field);
    records.push(record);
  }
  const header = records.shift() ?? [];
  const more = stoppedEarly || opts.truncated || records.length > opts.maxRows;
  return { header, rows: records.slice(0, opts.maxRows), more };
}
