package wanllmdb

// These tests run the SDK against a real local server (`wanllmdb server`, from the repository's
// .venv, or $WANLLMDB_SERVER_BIN) on a free port with a fresh data dir, and count rows through
// the HTTP API.

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var server struct {
	url    string
	apiKey string
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func TestMain(m *testing.M) {
	bin := os.Getenv("WANLLMDB_SERVER_BIN")
	if bin == "" {
		bin, _ = filepath.Abs("../../.venv/bin/wanllmdb")
	}
	data, err := os.MkdirTemp("", "wanllmdb-go-test-")
	if err != nil {
		panic(err)
	}
	port := freePort()
	logFile, _ := os.Create(filepath.Join(data, "server.log"))
	cmd := exec.Command(bin, "server", "--port", fmt.Sprint(port), "--data-dir", filepath.Join(data, "data"))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(os.Stderr, "cannot start %s: %v (set WANLLMDB_SERVER_BIN)\n", bin, err)
		os.Exit(2)
	}
	server.url = fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(server.url + "/api/health")
		if err == nil && resp.StatusCode == 200 {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(data, "server.log"))
			fmt.Fprintf(os.Stderr, "server did not answer in 60 s:\n%s\n", log)
			_ = cmd.Process.Kill()
			os.Exit(2)
		}
		time.Sleep(200 * time.Millisecond)
	}
	key, err := os.ReadFile(filepath.Join(data, "data", "admin-api-key"))
	if err != nil {
		panic(err)
	}
	server.apiKey = strings.TrimSpace(string(key))
	code := m.Run()
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
	}
	_ = os.RemoveAll(data)
	os.Exit(code)
}

func settings(t *testing.T) Settings {
	return Settings{
		BaseURL: server.url, APIKey: server.apiKey, Project: "go-sdk", Dir: t.TempDir(),
		FlushInterval: 100 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, Logf: t.Logf,
	}
}

func api(t *testing.T, path string, query url.Values, out any) {
	t.Helper()
	req, _ := http.NewRequest("GET", server.url+"/api"+path+"?"+query.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+server.apiKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: HTTP %d", path, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

type runView struct {
	State   string         `json:"state"`
	Config  map[string]any `json:"config"`
	Summary map[string]any `json:"summary"`
}

func getRun(t *testing.T, projectID, runID string) runView {
	var run runView
	api(t, "/runs/"+runID, url.Values{"project_id": {projectID}}, &run)
	return run
}

// history reads every row of a run through the HTTP API, page by page.
func history(t *testing.T, projectID, runID string) []map[string]any {
	var rows []map[string]any
	cursor := ""
	for {
		q := url.Values{"project_id": {projectID}, "page_size": {"100"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var page struct {
			Rows       []map[string]any `json:"rows"`
			NextCursor *json.Number     `json:"next_cursor"`
			Warnings   []string         `json:"warnings"`
		}
		api(t, "/runs/"+runID+"/history", q, &page)
		if len(page.Warnings) > 0 {
			t.Fatalf("history warnings: %v", page.Warnings)
		}
		rows = append(rows, page.Rows...)
		if page.NextCursor == nil {
			return rows
		}
		cursor = page.NextCursor.String()
	}
}

func tenScalars(step int) map[string]any {
	values := make(map[string]any, 10)
	for k := 0; k < 10; k++ {
		values[fmt.Sprintf("m%d", k)] = float64(step) + float64(k)/10
	}
	return values
}

func TestEveryLoggedRowLandsOnceWithConfigAndSummary(t *testing.T) {
	s := settings(t)
	s.Config = map[string]any{"lr": 0.01, "model": map[string]any{"layers": 4}}
	s.ChunkRows = 700 // several chunks, some sealed early
	run, err := Init(s)
	if err != nil {
		t.Fatal(err)
	}
	for step := 0; step < 300; step++ {
		if err := run.Log(tenScalars(step)); err != nil {
			t.Fatal(err)
		}
	}
	if err := run.Log(map[string]any{"phase": "eval", "nan": nan(), "count": 7}); err != nil {
		t.Fatal(err)
	}
	if err := run.Summary(map[string]any{"best": 0.5}); err != nil {
		t.Fatal(err)
	}
	if err := run.Config(map[string]any{"batch": 32}); err != nil {
		t.Fatal(err)
	}
	if err := run.Finish(0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(run.Dir()); !os.IsNotExist(err) {
		t.Fatalf("spool folder %s should be gone after a synced finish", run.Dir())
	}
	projectID := run.up.info.ProjectID
	rows := history(t, projectID, run.ID)
	if len(rows) != 301 {
		t.Fatalf("want 301 steps, got %d", len(rows))
	}
	values := 0
	for _, r := range rows {
		values += len(r) - 2 // _step and _timestamp
	}
	if values != 3003 {
		t.Fatalf("want 3003 values, got %d", values)
	}
	if rows[42]["m3"] != 42.3 || rows[300]["phase"] != "eval" || rows[300]["nan"] != "NaN" || rows[300]["count"] != 7.0 {
		t.Fatalf("unexpected rows: %v / %v", rows[42], rows[300])
	}
	got := getRun(t, projectID, run.ID)
	if got.State != "finished" || got.Config["lr"] != 0.01 || got.Config["batch"] != 32.0 {
		t.Fatalf("run: %+v", got)
	}
	if got.Summary["best"] != 0.5 || got.Summary["m9"] != 299.9 || got.Summary["phase"] != "eval" {
		t.Fatalf("summary: %v", got.Summary)
	}
}

func TestServerDownSpoolsThenSyncUploadsEveryRowOnce(t *testing.T) {
	s := settings(t)
	s.BaseURL = fmt.Sprintf("http://127.0.0.1:%d", freePort()) // nothing listens there
	s.InitTimeout, s.FinishTimeout = 300*time.Millisecond, 700*time.Millisecond
	run, err := Init(s)
	if err != nil {
		t.Fatalf("an unreachable server must not fail Init: %v", err)
	}
	for step := 0; step < 50; step++ {
		if err := run.Log(tenScalars(step)); err != nil {
			t.Fatalf("Log must not see network trouble: %v", err)
		}
		if step == 20 {
			time.Sleep(250 * time.Millisecond) // a chunk is sealed meanwhile: the data spans several
		}
	}
	err = run.Finish(0)
	var notSynced *NotSyncedError
	if !errors.Is(err, ErrNotSynced) || !errors.As(err, &notSynced) || notSynced.Dir != run.Dir() {
		t.Fatalf("want a NotSyncedError naming %s, got %v", run.Dir(), err)
	}
	chunks := run.sp.list("chunks")
	if len(chunks) < 2 {
		t.Fatalf("want the rows spooled in several chunks, got %v", chunks)
	}
	if err := Sync(run.Dir(), Settings{BaseURL: server.url, APIKey: server.apiKey, Logf: t.Logf}); err != nil {
		t.Fatal(err)
	}
	// Sync read run.json on its own; the project's id comes from the server.
	var projects struct {
		Items []struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	api(t, "/projects", url.Values{}, &projects)
	projectID := ""
	for _, p := range projects.Items {
		if p.Name == "go-sdk" {
			projectID = p.ID
		}
	}
	rows := history(t, projectID, run.ID)
	if len(rows) != 50 || len(rows[49]) != 12 {
		t.Fatalf("want 50 steps of 10 values, got %d", len(rows))
	}
	if state := getRun(t, projectID, run.ID).State; state != "finished" {
		t.Fatalf("state %s", state)
	}
}

func TestAResentChunkIsNotADuplicate(t *testing.T) {
	s := settings(t)
	s.FlushInterval = time.Hour // the test seals and uploads by hand
	run, err := Init(s)
	if err != nil {
		t.Fatal(err)
	}
	for step := 0; step < 20; step++ {
		_ = run.Log(tenScalars(step))
	}
	run.seal()
	name := run.sp.list("chunks")[0]
	data, _ := os.ReadFile(run.sp.path("chunks", name))
	ctx := context.Background()
	if err := run.up.pass(ctx); err != nil {
		t.Fatal(err)
	}
	// A crash after the PUT but before the chunk left the spool: the next pass sends it again.
	if err := run.sp.writeChunk(name, data); err != nil {
		t.Fatal(err)
	}
	if err := run.up.pass(ctx); err != nil {
		t.Fatal(err)
	}
	if err := run.Finish(0); err != nil {
		t.Fatal(err)
	}
	rows := history(t, run.up.info.ProjectID, run.ID)
	if len(rows) != 20 || len(rows[19]) != 12 {
		t.Fatalf("want 20 steps of 10 values, got %d", len(rows))
	}
}

func TestBadKeysAndValuesAreRefusedNamingThem(t *testing.T) {
	run, err := Init(settings(t))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		values map[string]any
		key    string
	}{
		{map[string]any{"": 1.0}, ""},
		{map[string]any{"ok": 1.0, "list": []int{1}}, "list"},
		{map[string]any{"nil": nil}, "nil"},
		{map[string]any{strings.Repeat("k", 300): 1}, strings.Repeat("k", 300)},
	}
	for _, c := range cases {
		err := run.Log(c.values)
		var bad *InvalidValueError
		if !errors.As(err, &bad) || bad.Key != c.key {
			t.Fatalf("Log(%v): want an error naming %q, got %v", c.values, c.key, err)
		}
	}
	if n := len(run.buf.rows); n != 0 {
		t.Fatalf("a refused call must record nothing, %d rows recorded", n)
	}
	var bad *InvalidValueError
	if err := run.Summary(map[string]any{"loss": nan()}); !errors.As(err, &bad) || bad.Key != "loss" {
		t.Fatalf("Summary(NaN): %v", err)
	}
	if err := run.LogAt(-1, tenScalars(0)); !errors.As(err, &bad) || bad.Key != "step" {
		t.Fatalf("LogAt(-1): %v", err)
	}
	if err := run.Finish(1); err != nil {
		t.Fatal(err)
	}
	if err := run.Log(tenScalars(0)); !errors.As(err, &bad) || bad.Key != "run" {
		t.Fatalf("Log after Finish: %v", err)
	}
	if _, err := Init(Settings{BaseURL: server.url, APIKey: server.apiKey, Project: "no spaces", Dir: t.TempDir()}); !errors.As(err, &bad) || bad.Key != "Project" {
		t.Fatalf("bad project: %v", err)
	}
	s := settings(t)
	s.APIKey = "wl_not_a_key"
	var refused *APIError
	if _, err := Init(s); !errors.As(err, &refused) || refused.Status != 401 {
		t.Fatalf("a bad API key must fail Init with 401, got %v", err)
	}
}

func TestNoChunkHoldsMoreThanChunkRows(t *testing.T) {
	s := settings(t)
	s.BaseURL = fmt.Sprintf("http://127.0.0.1:%d", freePort()) // offline: chunks stay in the spool
	s.InitTimeout, s.FlushInterval, s.ChunkRows = 100*time.Millisecond, time.Hour, 70
	run, err := Init(s)
	if err != nil {
		t.Fatal(err)
	}
	defer run.cancel()
	wide := map[string]any{}
	for k := 0; k < 200; k++ {
		wide[fmt.Sprintf("w%03d", k)] = float64(k)
	}
	if err := run.Log(wide); err != nil { // 200 rows in one buffer, whichever seal takes them
		t.Fatal(err)
	}
	run.seal()
	rows := 0
	for i, name := range run.sp.list("chunks") {
		if name != chunkName("history", 0, i) {
			t.Fatalf("chunk %d is %s: seqs must run 0, 1, 2, ...", i, name)
		}
		f, _ := os.Open(run.sp.path("chunks", name))
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(zr)
		f.Close()
		n := strings.Count(string(data), "\n")
		if n > 70 {
			t.Fatalf("%s holds %d rows, over ChunkRows", name, n)
		}
		rows += n
	}
	if rows != 200 {
		t.Fatalf("want 200 rows spooled, got %d", rows)
	}
}
