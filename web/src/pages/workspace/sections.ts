/** Groups metric keys into sections by prefix, W&B style: "train/loss" goes under "train". */
export function groupKeys(keys: readonly string[]): [string, string[]][] {
  const groups = new Map<string, string[]>();
  for (const k of keys) {
    const i = k.indexOf("/");
    const g = i > 0 ? k.slice(0, i) : "Charts";
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(k);
  }
  return [...groups.entries()].sort(([a], [b]) => (a === "Charts" ? -1 : b === "Charts" ? 1 : a.localeCompare(b)));
}
