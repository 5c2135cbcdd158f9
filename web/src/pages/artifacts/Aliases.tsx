import "./artifacts.css";

/** A version's aliases as tags, `latest` marked. */
export function Aliases({ aliases = [] }: { aliases?: readonly string[] }) {
  return (
    <span className="art-aliases">
      {aliases.map((a) => (
        <span key={a} className={`tag${a === "latest" ? " tag-latest" : ""}`}>
          {a}
        </span>
      ))}
    </span>
  );
}
