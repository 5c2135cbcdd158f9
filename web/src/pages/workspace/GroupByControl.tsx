import type { BandKind } from "../../shaping/view";

interface Props {
  groupBy: string;
  band: BandKind;
  /** config.<path> fields of the listed runs. */
  configFields: string[];
  onChange: (patch: { groupBy?: string; band?: BandKind }) => void;
}

const LABELS: [string, string][] = [
  ["group", "Group"],
  ["job_type", "Job type"],
  ["state", "State"],
  ["tags", "Tags"],
];

/** Draw one line per run, or one per group of runs (mean with a band), as wandb's "Group" button does. */
export function GroupByControl({ groupBy, band, configFields, onChange }: Props) {
  const options = [...LABELS.map(([f]) => f), ...configFields];
  if (groupBy && !options.includes(groupBy)) options.push(groupBy);
  return (
    <>
      <label>
        Group by{" "}
        <select value={groupBy} onChange={(e) => onChange({ groupBy: e.target.value })} aria-label="Group lines by">
          <option value="">(one line per run)</option>
          {options.map((f) => (
            <option key={f} value={f}>
              {LABELS.find(([k]) => k === f)?.[1] ?? f}
            </option>
          ))}
        </select>
      </label>
      {groupBy && (
        <label>
          Band{" "}
          <select value={band} onChange={(e) => onChange({ band: e.target.value as BandKind })} aria-label="Band">
            <option value="minmax">min–max</option>
            <option value="std">± std</option>
          </select>
        </label>
      )}
    </>
  );
}
