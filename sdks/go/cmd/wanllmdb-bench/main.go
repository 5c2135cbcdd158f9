// Command wanllmdb-bench measures the cost of Run.Log with 10 scalars against a baseline loop that
// does the caller's own part (building the same map) in the same process.
//
//	go run ./cmd/wanllmdb-bench -url http://127.0.0.1:8080 -key $(cat data/admin-api-key) -n 200000
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	wanllmdb "github.com/wanllmdb/wanllmdb-go"
)

var keys = [10]string{"m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9"}

func values(step int) map[string]any {
	m := make(map[string]any, 10)
	for i, k := range keys {
		m[k] = float64(step) + float64(i)
	}
	return m
}

var sink int

func main() {
	url := flag.String("url", os.Getenv("WANLLMDB_BASE_URL"), "server URL")
	key := flag.String("key", os.Getenv("WANLLMDB_API_KEY"), "API key")
	n := flag.Int("n", 200_000, "log() calls per measurement")
	hold := flag.Bool("hold", false, "seal no chunk while measuring (the hot path alone, without the "+
		"uploader's encoding competing for the CPU); chunks are written and uploaded at Finish")
	flag.Parse()
	flush, rows := time.Duration(0), 0
	if *hold {
		flush, rows = time.Hour, 1<<30
	}
	dir, _ := os.MkdirTemp("", "wanllmdb-bench-")
	defer os.RemoveAll(dir)
	run, err := wanllmdb.Init(wanllmdb.Settings{BaseURL: *url, APIKey: *key, Project: "bench", Dir: dir,
		FlushInterval: flush, ChunkRows: rows, FinishTimeout: 5 * time.Minute, Logf: func(string, ...any) {}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for round := 0; round < 3; round++ { // the last round is reported; the first ones warm up
		start := time.Now()
		for i := 0; i < *n; i++ {
			sink += len(values(i))
		}
		base := time.Since(start)
		start = time.Now()
		for i := 0; i < *n; i++ {
			_ = run.Log(values(i))
		}
		logged := time.Since(start)
		if round == 2 {
			per := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(*n) }
			fmt.Printf("go (hold=%v): baseline (build the 10-scalar map) %.3f us/call; with log() %.3f us/call; log() itself %.3f us\n",
				*hold, per(base), per(logged), per(logged-base))
		}
	}
	if err := run.Finish(0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
