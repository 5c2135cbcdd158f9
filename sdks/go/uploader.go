package wanllmdb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// grantBatch is the most items one grant request may name (docs/api-contract.md).
const grantBatch = 100

// uploader empties a run's spool into the server: the run first, then chunks, then metadata calls.
// It is used by one goroutine at a time (the run's loop, or Sync).
type uploader struct {
	c    *client
	sp   *spool
	info *runInfo
	warn func(format string, args ...any)
}

func (u *uploader) query() url.Values {
	// Run ids are unique per project: the project tells the server which run of this id is meant.
	return url.Values{"project_id": {u.info.ProjectID}}
}

// ensureRun creates the project (if need be) and the run, once; a retry of a create that did land
// sends the same resume_token, so the server answers with the run as it left it.
func (u *uploader) ensureRun(ctx context.Context) error {
	if u.info.ProjectID == "" {
		body := map[string]any{"name": u.info.Project}
		if u.info.Entity != "" {
			body["entity"] = u.info.Entity
		}
		var project struct {
			ID string `json:"id"`
		}
		if err := u.c.call(ctx, "POST", "/projects", nil, body, &project); err != nil {
			return err
		}
		u.info.ProjectID = project.ID
		if err := u.sp.saveInfo(u.info); err != nil {
			return err
		}
	}
	if u.info.Created {
		return nil
	}
	body := map[string]any{"id": u.info.RunID, "resume_token": u.info.ResumeToken}
	if u.info.Name != "" {
		body["name"] = u.info.Name
	}
	if len(u.info.Config) > 0 {
		body["config"] = u.info.Config
	}
	if len(u.info.Tags) > 0 {
		body["tags"] = u.info.Tags
	}
	var run struct {
		Attempt int `json:"attempt"`
	}
	if err := u.c.call(ctx, "POST", "/projects/"+url.PathEscape(u.info.ProjectID)+"/runs", nil, body, &run); err != nil {
		return err
	}
	u.info.Created, u.info.Attempt = true, run.Attempt
	return u.sp.saveInfo(u.info)
}

// pass uploads everything in the spool; nil when it is empty. Metadata calls wait until every
// chunk is in, so finish (the last call) never closes the run before its rows landed.
func (u *uploader) pass(ctx context.Context) error {
	if err := u.ensureRun(ctx); err != nil {
		return err
	}
	for chunks := u.sp.list("chunks"); len(chunks) > 0; chunks = u.sp.list("chunks") {
		if len(chunks) > grantBatch {
			chunks = chunks[:grantBatch]
		}
		if err := u.uploadChunks(ctx, chunks); err != nil {
			return err
		}
	}
	for _, name := range u.sp.list("ops") {
		if err := u.sendOp(ctx, name); err != nil {
			return err
		}
	}
	return nil
}

func (u *uploader) uploadChunks(ctx context.Context, names []string) error {
	items := make([]map[string]any, 0, len(names))
	blobs := make([][]byte, 0, len(names))
	for _, name := range names {
		stream, attempt, seq, ok := parseChunkName(name)
		data, err := os.ReadFile(u.sp.path("chunks", name))
		if !ok || err != nil {
			u.warn("wanllmdb: %s is not a chunk; moved aside (%v)", name, err)
			_ = os.Rename(u.sp.path("chunks", name), u.sp.path("", "bad-"+name))
			return nil
		}
		sum := sha256.Sum256(data)
		items = append(items, map[string]any{
			"kind": stream, "size": len(data), "sha256": hex.EncodeToString(sum[:]),
			"seq": seq, "attempt": attempt, "format": "jsonl",
		})
		blobs = append(blobs, data)
	}
	var answer struct {
		Grants []grant `json:"grants"`
	}
	path := "/runs/" + url.PathEscape(u.info.RunID) + "/uploads"
	if err := u.c.call(ctx, "POST", path, u.query(), map[string]any{"items": items}, &answer); err != nil {
		return err
	}
	if len(answer.Grants) != len(names) {
		return fmt.Errorf("asked for %d grants, got %d", len(names), len(answer.Grants))
	}
	for i, g := range answer.Grants {
		if err := u.c.put(ctx, g, blobs[i]); err != nil {
			return err
		}
		// Only now may the chunk go: a crash before this line re-sends it to the same key.
		if err := os.Remove(u.sp.path("chunks", names[i])); err != nil {
			return err
		}
	}
	return nil
}

func (u *uploader) sendOp(ctx context.Context, name string) error {
	data, err := os.ReadFile(u.sp.path("ops", name))
	if err != nil {
		return err
	}
	var op spoolOp
	if err := json.Unmarshal(data, &op); err != nil {
		u.warn("wanllmdb: dropping unreadable spooled call %s: %v", name, err)
		return os.Remove(u.sp.path("ops", name))
	}
	path := strings.ReplaceAll(op.Path, "{run}", url.PathEscape(u.info.RunID))
	err = u.c.call(ctx, op.Method, path, u.query(), op.Body, nil)
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		// Refused for good (a config change the server forbids, a run already finished): retrying
		// cannot help, and it must not hold back the calls after it.
		u.warn("wanllmdb: %s %s refused: %v", op.Method, path, err)
	} else if err != nil {
		return err
	}
	return os.Remove(u.sp.path("ops", name))
}

func (u *uploader) heartbeat(ctx context.Context) error {
	return u.c.call(ctx, "POST", "/runs/"+url.PathEscape(u.info.RunID)+"/heartbeat", u.query(), nil, nil)
}
