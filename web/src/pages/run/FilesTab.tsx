import { useQuery } from "@tanstack/react-query";
import type { Run } from "../../api/types";
import { Empty, ErrorBanner, Loading } from "../../components/status";
import { runFilesQuery } from "../../queries/runs";

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const u = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${u[i]}`;
}

export function FilesTab({ run }: { run: Run }) {
  const files = useQuery(runFilesQuery(run));
  if (!files.data) return files.error ? <ErrorBanner error={files.error} onRetry={() => void files.refetch()} /> : <Loading what="Loading files" />;
  if (files.data.items.length === 0) return <Empty title="This run has no files">Save files with wanllmdb.save(path).</Empty>;
  return (
    <table className="table" data-testid="files-table">
      <thead>
        <tr>
          <th>Path</th>
          <th className="num">Size</th>
          <th>Updated</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {files.data.items.map((f) => (
          <tr key={f.path}>
            <td className="mono">{f.path}</td>
            <td className="num">{formatBytes(f.size)}</td>
            <td className="muted">{f.updated_at ? new Date(f.updated_at).toLocaleString() : ""}</td>
            <td>
              <a className="btn btn-small" href={f.url} download={f.path.split("/").pop()}>
                Download
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
