import { Link } from "react-router";
import { modelHref, REGISTRIES_HREF, registryHref } from "./links";

/** Registries / entity/registry / model[:vN], each a link back up. */
export function RegistryCrumbs({ entity, name, model, version }: { entity: string; name: string; model: string; version?: string }) {
  return (
    <h1 className="reg-crumbs">
      <Link to={REGISTRIES_HREF} className="muted">
        Registries
      </Link>
      <span className="muted">/</span>
      <Link to={registryHref(entity, name)}>
        <span className="muted">{entity}/</span>
        {name}
      </Link>
      <span className="muted">/</span>
      {version ? (
        <span className="mono">
          <Link to={modelHref(entity, name, model)}>{model}</Link>:{version}
        </span>
      ) : (
        <span className="mono">{model}</span>
      )}
    </h1>
  );
}
