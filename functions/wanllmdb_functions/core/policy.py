"""The one policy function: every authorization decision in wanLLMDB goes through `authorize`.

Who holds what:
- a tenant admin (`Caller.is_admin`) holds every permission everywhere;
- a user holds every entity permission on their own personal entity (their username);
- an organization or team member holds the permissions of their role there (admin, member,
  viewer, or a custom role: a named permission set); an organization admin also administers
  every team of that organization;
- anyone authenticated may read a public project (the read permissions only);
- a resource with an audience of its own (a report's visibility, or a draft) narrows or widens who
  reads it: `owner` (its creator only), `team` (members of the project's owner, whatever the
  project's visibility), `org` (and the members of that owner's organization), `public` (anyone,
  without a token too); then its grants add or take away as for any resource.

A caller who may not even read a private resource gets NotFound, so private projects are
invisible; one who may read it but lacks the permission gets Forbidden. Services call
`authorize` and never inspect roles themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Literal

from .errors import Forbidden, NotFound, Unauthenticated
from .request_scope import note_entity, note_project

if TYPE_CHECKING:
    from .caller import Caller

__all__ = [
    "BUILTIN_ROLES",
    "ENTITY_PERMISSIONS",
    "GRANT_KINDS",
    "LINK_READ_PERMISSIONS",
    "READ_PERMISSIONS",
    "TENANT_PERMISSIONS",
    "Audience",
    "EntityRef",
    "Grant",
    "Permission",
    "ProjectRef",
    "Resource",
    "ResourceRef",
    "authorize",
    "feed_owner",
    "not_found_for",
    "permissions_of",
]


class Permission(StrEnum):
    PROJECT_READ = "project:read"
    PROJECT_CREATE = "project:create"
    PROJECT_WRITE = "project:write"
    PROJECT_ADMIN = "project:admin"
    RUN_READ = "run:read"
    RUN_WRITE = "run:write"
    RUN_DELETE = "run:delete"
    ARTIFACT_READ = "artifact:read"
    ARTIFACT_WRITE = "artifact:write"
    ARTIFACT_DELETE = "artifact:delete"
    REPORT_READ = "report:read"
    REPORT_WRITE = "report:write"
    REGISTRY_READ = "registry:read"
    REGISTRY_DOWNLOAD = "registry:download"
    REGISTRY_WRITE = "registry:write"
    REGISTRY_DELETE = "registry:delete"
    REGISTRY_APPROVE = "registry:approve"
    REGISTRY_ADMIN = "registry:admin"
    ORG_READ = "org:read"
    ORG_ADMIN = "org:admin"
    # Tenant-wide: only tenant admins hold these; custom roles cannot grant them.
    AUDIT_READ = "audit:read"
    ROLE_ADMIN = "role:admin"
    USER_ADMIN = "user:admin"


TENANT_PERMISSIONS: frozenset[Permission] = frozenset(
    {Permission.AUDIT_READ, Permission.ROLE_ADMIN, Permission.USER_ADMIN}
)
ENTITY_PERMISSIONS: frozenset[Permission] = frozenset(set(Permission) - TENANT_PERMISSIONS)
READ_PERMISSIONS: frozenset[Permission] = frozenset(
    {
        Permission.PROJECT_READ,
        Permission.RUN_READ,
        Permission.ARTIFACT_READ,
        Permission.REPORT_READ,
        Permission.REGISTRY_READ,
    }
)
# What a report's share link lets its holder read in the report's project: the runs its panels draw,
# and nothing else of the project (artifacts, other reports, the registry).
LINK_READ_PERMISSIONS: frozenset[Permission] = frozenset({Permission.PROJECT_READ, Permission.RUN_READ})
_VIEWER = READ_PERMISSIONS | {Permission.ORG_READ, Permission.REGISTRY_DOWNLOAD}
_MEMBER = _VIEWER | {
    Permission.PROJECT_CREATE,
    Permission.PROJECT_WRITE,
    Permission.RUN_WRITE,
    Permission.RUN_DELETE,
    Permission.ARTIFACT_WRITE,
    Permission.REPORT_WRITE,
    Permission.REGISTRY_WRITE,
}
BUILTIN_ROLES: dict[str, frozenset[Permission]] = {
    "viewer": frozenset(_VIEWER),
    "member": frozenset(_MEMBER),
    "admin": ENTITY_PERMISSIONS,
}


@dataclass(frozen=True)
class EntityRef:
    """An owner of projects: a user (personal), an organization, or a team inside an organization."""

    name: str
    kind: Literal["user", "org", "team"]
    org: str | None = None  # the organization a team belongs to


@dataclass(frozen=True)
class ProjectRef:
    """What the policy needs to know about a project; services get it from ProjectService.get_ref."""

    project_id: str
    owner: EntityRef
    visibility: Literal["private", "public"] = "private"

    @property
    def entity(self) -> str:
        return self.owner.name


_REGISTERED_MODEL_GRANTABLE = frozenset(
    {
        Permission.REGISTRY_READ,
        Permission.REGISTRY_DOWNLOAD,
        Permission.REGISTRY_WRITE,
        Permission.REGISTRY_DELETE,
        Permission.REGISTRY_APPROVE,
    }
)
GRANT_KINDS: dict[str, frozenset[Permission]] = {
    "run": frozenset({Permission.RUN_READ, Permission.RUN_WRITE, Permission.RUN_DELETE}),
    "artifact": frozenset({Permission.ARTIFACT_READ, Permission.ARTIFACT_WRITE, Permission.ARTIFACT_DELETE}),
    "report": frozenset({Permission.REPORT_READ, Permission.REPORT_WRITE}),
    # A whole registry (resource_id "*") and one registered model in it (registry/ package).
    "registry": _REGISTERED_MODEL_GRANTABLE | {Permission.REGISTRY_ADMIN},
    "registered_model": _REGISTERED_MODEL_GRANTABLE,
}


@dataclass(frozen=True)
class Grant:
    """Permissions on one run, artifact collection or report, for a user (`user:alice`), a team
    (`team:ml`) or an organization (`org:acme`). A deny takes those permissions away from whatever
    the project gives; an allow adds to it."""

    principal: str
    permissions: frozenset[Permission]
    effect: Literal["allow", "deny"] = "allow"


Audience = Literal["project", "owner", "team", "org", "public"]


@dataclass(frozen=True)
class ResourceRef:
    """A resource inside a project, with the grants made on it (services load them with the resource).

    `audience` other than "project" replaces the project's rules for this resource (reports: their
    visibility, and drafts, which only their `creator` reads)."""

    project: ProjectRef
    kind: str  # a key of GRANT_KINDS
    resource_id: str
    grants: tuple[Grant, ...] = ()
    audience: Audience = "project"
    creator: str | None = None


# None is the tenant itself (audit log, custom roles, user administration).
Resource = ProjectRef | EntityRef | ResourceRef | None


def permissions_of(caller: Caller, resource: Resource) -> frozenset[Permission]:
    """Every permission `caller` holds on `resource`."""
    if caller.is_admin:
        return frozenset(Permission)
    if resource is None:
        return frozenset()
    if isinstance(resource, ResourceRef):
        return _with_grants(caller, _audience_permissions(caller, resource), resource.grants)
    owner = resource.owner if isinstance(resource, ProjectRef) else resource
    held: set[Permission] = set()
    if owner.kind == "user" and owner.name == caller.username:
        held |= ENTITY_PERMISSIONS
    held |= caller.entity_permissions.get(owner.name, frozenset())
    if owner.org is not None and Permission.ORG_ADMIN in caller.entity_permissions.get(owner.org, ()):
        held |= ENTITY_PERMISSIONS
    if isinstance(resource, ProjectRef) and resource.visibility == "public":
        held |= READ_PERMISSIONS
    if isinstance(resource, ProjectRef) and resource.project_id in caller.link_projects:
        held |= LINK_READ_PERMISSIONS
    return frozenset(held - TENANT_PERMISSIONS)


def _audience_permissions(caller: Caller, resource: ResourceRef) -> frozenset[Permission]:
    """What the project gives the caller on this resource, under the resource's own audience."""
    project = resource.project
    if resource.audience == "project":
        return permissions_of(caller, project)
    # The project's members: what its owner gives them, whether or not the project is public.
    members = permissions_of(caller, ProjectRef(project.project_id, project.owner, "private"))
    if resource.audience == "owner":
        return members if resource.creator == caller.username and not caller.is_anonymous else frozenset()
    if resource.audience == "team":
        return members
    if resource.audience == "org":
        org = project.owner.org if project.owner.kind == "team" else project.owner.name
        in_org = project.owner.kind != "user" and org in caller.entity_permissions
        return members | (READ_PERMISSIONS if in_org else frozenset())
    return members | READ_PERMISSIONS  # public


def _applies(caller: Caller, principal: str) -> bool:
    kind, _, name = principal.partition(":")
    if kind == "user":
        return name == caller.username
    return kind in ("team", "org") and name in caller.entity_permissions


def _with_grants(
    caller: Caller, held: frozenset[Permission], grants: tuple[Grant, ...]
) -> frozenset[Permission]:
    """The maximum of the project's permissions and the allows that name the caller, less the denies
    that name the caller: only an explicit deny narrows access."""
    allowed = set(held)
    denied: set[Permission] = set()
    for grant in grants:
        if _applies(caller, grant.principal):
            (allowed if grant.effect == "allow" else denied).update(grant.permissions)
    return frozenset(allowed - denied - TENANT_PERMISSIONS)


def feed_owner(entity: EntityRef) -> str:
    """Whose activity feed an entity's actions go to: a team's go to its organization's."""
    return entity.org if entity.kind == "team" and entity.org else entity.name


def _note(resource: Resource) -> None:
    if isinstance(resource, ResourceRef):
        resource = resource.project
    if isinstance(resource, ProjectRef):
        note_project(resource.project_id, feed_owner(resource.owner))
    elif isinstance(resource, EntityRef):
        note_entity(feed_owner(resource))


def not_found_for(caller: Caller, missing: NotFound) -> NotFound:
    """What a caller who may not see something is told: `missing`, and for a caller without a token
    a hint that private projects need one (public ones need none)."""
    if not caller.is_anonymous:
        return missing
    return NotFound(
        f"{missing.message}; a private project needs 'Authorization: Bearer <API key>'", field=missing.field
    )


def authorize(
    caller: Caller, permission: Permission, resource: Resource, *, hidden: NotFound | None = None
) -> None:
    """Return when `caller` holds `permission` on `resource`; raise NotFound or Forbidden otherwise.

    `hidden` is what the caller sees when it may not even read the project: a service that reached
    the project through something else (a run id) passes the NotFound it raises when that thing does
    not exist, so the two answers are the same and the project id the caller never sent stays unsaid.
    """
    held = permissions_of(caller, resource)
    if permission in held:
        _note(resource)
        return
    project = resource.project if isinstance(resource, ResourceRef) else resource
    if caller.is_anonymous:
        # Without a token only public projects' reads pass; a private one is not found, as for an
        # outsider, so that its existence stays unsaid, with a hint for a client that forgot its key.
        if isinstance(project, ProjectRef):
            raise not_found_for(
                caller, hidden or NotFound(f"project {project.project_id} not found", field="project_id")
            )
        raise Unauthenticated("missing bearer token: send 'Authorization: Bearer <API key>'")
    readable = held & {
        Permission.PROJECT_READ,
        Permission.RUN_READ,
        Permission.ARTIFACT_READ,
        Permission.REPORT_READ,
        Permission.REGISTRY_READ,
    }
    if isinstance(project, ProjectRef) and not readable:
        # Do not reveal that a private project exists to someone who may not read it.
        raise hidden or NotFound(f"project {project.project_id} not found", field="project_id")
    raise Forbidden(f"{caller.username} lacks {permission.value} here")
