/**
 * Rows logged since the last chunk, column by column: the caller's log() only pushes onto arrays.
 * Encoding (chunk.ts) and summary folding (summary.ts) happen when a chunk is cut.
 */

export interface Column {
  /** Row numbers (indexes into `steps`) that hold a value of this key, ascending. */
  rows: number[];
  vals: number[];
}

export interface Drained {
  steps: number[];
  tsMs: number[];
  columns: Map<string, Column>;
  /** [row, key, text] of string values. */
  texts: Array<[number, string, string]>;
}

export class MetricBuffer {
  steps: number[] = [];
  tsMs: number[] = [];
  /** Every key seen so far keeps its column: a key's presence here means it was validated. */
  columns = new Map<string, Column>();
  texts: Array<[number, string, string]> = [];
  /** Values buffered: the trigger for cutting a chunk. */
  values = 0;

  /**
   * The fast path: every value a number and every key seen before. Returns false (storing nothing)
   * otherwise, and the caller validates the row and uses addRow.
   */
  tryAddNumbers(step: number, tsMs: number, data: Record<string, unknown>): boolean {
    const row = this.steps.length;
    const columns = this.columns;
    let n = 0;
    for (const key in data) {
      const value = data[key];
      const col = columns.get(key);
      // (for...in sees only own keys here: log() takes plain objects, whose prototype has no enumerable key)
      if (typeof value !== "number" || col === undefined) {
        this.undo(data, n);
        return false;
      }
      col.rows.push(row);
      col.vals.push(value);
      n++;
    }
    this.steps.push(step);
    this.tsMs.push(tsMs);
    this.values += n;
    return true;
  }

  private undo(data: Record<string, unknown>, n: number): void {
    for (const key in data) {
      if (n-- <= 0) return;
      const col = this.columns.get(key)!;
      col.rows.pop();
      col.vals.pop();
    }
  }

  /** A validated, flattened row. */
  addRow(step: number, tsMs: number, nums: Map<string, number>, texts: Map<string, string>): void {
    const row = this.steps.length;
    for (const [key, value] of nums) {
      let col = this.columns.get(key);
      if (col === undefined) {
        col = { rows: [], vals: [] };
        this.columns.set(key, col);
      }
      col.rows.push(row);
      col.vals.push(value);
    }
    for (const [key, text] of texts) this.texts.push([row, key, text]);
    this.steps.push(step);
    this.tsMs.push(tsMs);
    this.values += nums.size + texts.size;
  }

  maxStep(): number | null {
    let top: number | null = null;
    for (const s of this.steps) if (top === null || s > top) top = s;
    return top;
  }

  /** Swap the buffers out (null when nothing was logged since the last drain). */
  drain(): Drained | null {
    if (this.steps.length === 0) return null;
    const columns = new Map<string, Column>();
    for (const [key, col] of this.columns) {
      if (col.rows.length === 0) continue;
      columns.set(key, { rows: col.rows, vals: col.vals });
      col.rows = [];
      col.vals = [];
    }
    const out: Drained = { steps: this.steps, tsMs: this.tsMs, columns, texts: this.texts };
    this.steps = [];
    this.tsMs = [];
    this.texts = [];
    this.values = 0;
    return out;
  }

  /** What is buffered, as a Drained, without taking it (the summary's view of values not yet cut). */
  peek(): Drained {
    const columns = new Map<string, Column>();
    for (const [key, col] of this.columns) if (col.rows.length) columns.set(key, col);
    return { steps: this.steps, tsMs: this.tsMs, columns, texts: this.texts };
  }
}
