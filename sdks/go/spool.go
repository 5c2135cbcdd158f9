package wanllmdb

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// A run's spool folder (docs/ingest-protocol.md "Spool"):
//
//	<Dir>/wanllmdb-go/run-<id>/
//	  run.json                          who the run is: project, id, name, config, resume token
//	  chunks/history-a0000-000000003.jsonl.gz   sealed chunks, deleted once uploaded
//	  ops/000000001-summary.json        metadata calls (config, summary, finish), in order
//
// Files are written under a temporary name and renamed, so a crash never leaves half a chunk
// that looks whole; an upload deletes a chunk only after its PUT succeeded, so a crash between the
// two re-sends it, which overwrites the same key (never a duplicate).

type runInfo struct {
	BaseURL     string         `json:"base_url"`
	Project     string         `json:"project"`
	Entity      string         `json:"entity,omitempty"`
	RunID       string         `json:"run_id"`
	Name        string         `json:"name,omitempty"`
	Config      map[string]any `json:"config,omitempty"`
	Tags        []string       `json:"tags,omitempty"`
	ResumeToken string         `json:"resume_token"`
	ProjectID   string         `json:"project_id,omitempty"`
	Attempt     int            `json:"attempt"`
	Created     bool           `json:"created"`
}

type spoolOp struct {
	Method string         `json:"method"`
	Path   string         `json:"path"` // below /api, {run} stands for the run's id
	Body   map[string]any `json:"body"`
}

type spool struct{ dir string }

func openSpool(dir string) (*spool, error) {
	for _, sub := range []string{"chunks", "ops"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return nil, fmt.Errorf("spool folder %s: %w; set Settings.Dir to a writable folder", dir, err)
		}
	}
	return &spool{dir: dir}, nil
}

func writeAtomic(path string, data []byte) error {
	tmp := filepath.Join(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func (s *spool) saveInfo(info *runInfo) error {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(s.dir, "run.json"), data)
}

func (s *spool) loadInfo() (*runInfo, error) {
	data, err := os.ReadFile(filepath.Join(s.dir, "run.json"))
	if err != nil {
		return nil, fmt.Errorf("%s is not a wanllmdb-go run folder: %w", s.dir, err)
	}
	var info runInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return nil, fmt.Errorf("%s/run.json: %w", s.dir, err)
	}
	return &info, nil
}

func chunkName(stream string, attempt, seq int) string {
	return fmt.Sprintf("%s-a%04d-%09d.jsonl.gz", stream, attempt, seq)
}

func parseChunkName(name string) (stream string, attempt, seq int, ok bool) {
	stem := strings.TrimSuffix(name, ".jsonl.gz")
	if stem == name {
		return "", 0, 0, false
	}
	i := strings.LastIndex(stem, "-a")
	if i < 0 {
		return "", 0, 0, false
	}
	if _, err := fmt.Sscanf(stem[i+1:], "a%04d-%09d", &attempt, &seq); err != nil {
		return "", 0, 0, false
	}
	return stem[:i], attempt, seq, true
}

func (s *spool) writeChunk(name string, data []byte) error {
	return writeAtomic(filepath.Join(s.dir, "chunks", name), data)
}

func (s *spool) writeOp(name string, op spoolOp) error {
	data, err := json.Marshal(op)
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(s.dir, "ops", name), data)
}

// list gives the finished files of a sub-folder in name order (chunks by stream, attempt, seq).
func (s *spool) list(sub string) []string {
	entries, _ := os.ReadDir(filepath.Join(s.dir, sub))
	names := []string{}
	for _, e := range entries {
		if !e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

func (s *spool) path(sub, name string) string { return filepath.Join(s.dir, sub, name) }
