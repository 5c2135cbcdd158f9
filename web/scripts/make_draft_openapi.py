"""Writes openapi.draft.json: a stand-in generator input until schemas/openapi.json (the FastAPI snapshot) lands.

It mirrors docs/api-contract.md only as far as the web reads it. Delete it once ../schemas/openapi.json exists.
"""
import json
from pathlib import Path

J = "application/json"
ref = lambda n: {"$ref": f"#/components/schemas/{n}"}  # noqa: E731
obj = lambda props, req=(): {"type": "object", "properties": props, "required": list(req)}  # noqa: E731
s = {"type": "string"}
i = {"type": "integer"}
n = {"type": "number"}
b = {"type": "boolean"}
anyobj = {"type": "object", "additionalProperties": True}
nul = lambda t: {"anyOf": [t, {"type": "null"}]}  # noqa: E731
arr = lambda t: {"type": "array", "items": t}  # noqa: E731


def ok(schema, status="200"):
    return {status: {"description": "ok", "content": {J: {"schema": schema}}},
            "default": {"description": "error", "content": {J: {"schema": ref("ErrorBody")}}}}


def q(name, schema=s, where="query", required=False):
    return {"name": name, "in": where, "required": required or where == "path", "schema": schema}


def body(schema):
    return {"required": True, "content": {J: {"schema": schema}}}


schemas = {
    "ErrorBody": obj({"error": obj({"code": s, "message": s, "field": nul(s)}, ["code", "message"])}, ["error"]),
    "User": obj({"id": s, "username": s, "email": nul(s), "is_admin": b}, ["id", "username"]),
    "LoginRequest": obj({"username": s, "password": s}, ["username", "password"]),
    "TokenResponse": obj({"user": ref("User"), "token": s, "refresh_token": s, "expires_at": s}, ["user", "token"]),
    "RunCounts": obj({"running": i, "finished": i, "failed": i, "crashed": i}),
    "Project": obj({"id": s, "entity": s, "name": s, "visibility": s, "description": nul(s), "tags": arr(s),
                    "created_at": s, "run_counts": ref("RunCounts")}, ["id", "entity", "name", "created_at"]),
    "ProjectPage": obj({"items": arr(ref("Project")), "next_cursor": nul(s)}, ["items"]),
    "Run": obj({"id": s, "project_id": s, "entity": s, "project": s, "name": nul(s), "state": s, "attempt": i,
                "config": anyobj, "summary": anyobj, "tags": arr(s), "notes": nul(s), "group": nul(s),
                "job_type": nul(s), "metadata": anyobj, "created_at": s, "updated_at": s, "heartbeat_at": nul(s),
                "finished_at": nul(s), "exit_code": nul(i)}, ["id", "project_id", "state", "created_at"]),
    "RunPage": obj({"items": arr(ref("Run")), "next_cursor": nul(s), "total": i}, ["items"]),
    "RunPatch": obj({"name": nul(s), "notes": nul(s), "tags": nul(arr(s)), "group": nul(s), "job_type": nul(s)}),
    "Points": obj({"x": arr(n), "y": arr(nul(n))}, ["x", "y"]),
    "Buckets": obj({k: arr(nul(n)) for k in ["x0", "x1", "count", "min", "max", "mean", "first", "last"]},
                   ["x0", "x1", "count", "min", "max", "mean", "first", "last"]),
    "Series": obj({"raw": b, "points": nul(ref("Points")), "buckets": nul(ref("Buckets"))}, ["raw"]),
    "MetricsResponse": obj({"run_id": s, "x": s, "series": {"type": "object", "additionalProperties": ref("Series")},
                            "last_step": nul(i)}, ["run_id", "x", "series"]),
    "MetricKeys": obj({"keys": arr(s)}, ["keys"]),
    "LogLine": obj({"line": i, "ts": s, "stream": s, "text": s}, ["line", "ts", "stream", "text"]),
    "LogPage": obj({"lines": arr(ref("LogLine")), "next_offset": nul(i)}, ["lines"]),
    "RunFile": obj({"path": s, "size": i, "updated_at": s, "url": s}, ["path", "size", "url"]),
    "FileList": obj({"items": arr(ref("RunFile"))}, ["items"]),
    "ConfigDiff": obj({"changed": anyobj, "only_a": anyobj, "only_b": anyobj}, ["changed", "only_a", "only_b"]),
}
run_id = q("run_id", where="path")
paths = {
    "/api/health": {"get": {"responses": ok(anyobj)}},
    "/api/auth/login": {"post": {"requestBody": body(ref("LoginRequest")), "responses": ok(ref("TokenResponse"))}},
    "/api/auth/logout": {"post": {"responses": {"204": {"description": "ok"}}}},
    "/api/auth/me": {"get": {"responses": ok(ref("User"))}},
    "/api/projects": {"get": {"parameters": [q("search"), q("limit", i), q("cursor")], "responses": ok(ref("ProjectPage"))}},
    "/api/projects/{project_id}": {"get": {"parameters": [q("project_id", where="path")], "responses": ok(ref("Project"))}},
    "/api/projects/by-name/{entity}/{name}": {"get": {"parameters": [q("entity", where="path"), q("name", where="path")],
                                                      "responses": ok(ref("Project"))}},
    "/api/projects/{project_id}/runs": {"get": {"parameters": [
        q("project_id", where="path"), q("state"), q("tag"), q("group"), q("filters"), q("order"), q("per_page", i),
        q("cursor")], "responses": ok(ref("RunPage"))}},
    "/api/runs/{run_id}": {"get": {"parameters": [run_id], "responses": ok(ref("Run"))},
                           "patch": {"parameters": [run_id], "requestBody": body(ref("RunPatch")), "responses": ok(ref("Run"))}},
    "/api/runs/config-diff": {"get": {"parameters": [q("a", required=True), q("b", required=True)], "responses": ok(ref("ConfigDiff"))}},
    "/api/runs/{run_id}/metrics": {"get": {"parameters": [
        run_id, q("keys", arr(s)), q("x"), q("buckets", i), q("min", n), q("max", n), q("stream"), q("after_step", i)],
        "responses": ok(ref("MetricsResponse"))}},
    "/api/runs/{run_id}/metric-keys": {"get": {"parameters": [run_id, q("stream")], "responses": ok(ref("MetricKeys"))}},
    "/api/runs/{run_id}/logs": {"get": {"parameters": [run_id, q("offset", i), q("limit", i), q("search")],
                                        "responses": ok(ref("LogPage"))}},
    "/api/runs/{run_id}/files": {"get": {"parameters": [run_id], "responses": ok(ref("FileList"))}},
}
doc = {"openapi": "3.1.0", "info": {"title": "wanLLMDB (draft for the web client)", "version": "0.0.0"},
       "paths": paths, "components": {"schemas": schemas}}
Path(__file__).with_name("openapi.draft.json").write_text(json.dumps(doc, indent=1) + "\n")
