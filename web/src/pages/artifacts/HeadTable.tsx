/** The first rows of a table file, as plain cells. */
export function HeadTable({ columns, rows, note }: { columns: readonly string[]; rows: readonly (readonly string[])[]; note: string }) {
  return (
    <div className="art-head-table">
      <div className="muted small">{note}</div>
      <div className="art-table-scroll">
        <table className="table compact" data-testid="preview-table">
          <thead>
            <tr>
              {columns.map((c, i) => (
                <th key={i}>{c}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                {columns.map((_c, j) => (
                  <td key={j}>{r[j] ?? ""}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
