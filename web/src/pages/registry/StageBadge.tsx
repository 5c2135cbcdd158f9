import { stageClass } from "../../shaping/registry";
import "./registry.css";

/** A version's lifecycle stage; Production and Staging stand out, as readers look for them. With
 * `version`, the badge names the version in the stage's colour (a stage's column says which stage). */
export function StageBadge({ stage, version }: { stage: string; version?: string }) {
  return (
    <span className={`badge stage ${stageClass(stage)}`} data-stage={stage} data-version={version} title={version ? `${version} is in ${stage}` : undefined}>
      {version ?? stage}
    </span>
  );
}

/** Aliases as tags, `latest` marked. */
export function AliasTags({ aliases }: { aliases: readonly string[] }) {
  return (
    <span className="art-aliases reg-aliases">
      {aliases.map((a) => (
        <span key={a} className={`tag${a === "latest" ? " tag-latest" : ""}`} data-alias={a}>
          {a}
        </span>
      ))}
    </span>
  );
}
