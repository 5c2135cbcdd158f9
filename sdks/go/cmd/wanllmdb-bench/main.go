// Command wanllmdb-bench measures the cost of Run.Log with 10 scalars against a baseline loop that
// does the caller's own part (building the same map) in the same process.
//
//	go run ./cmd/wanllmdb-bench -url http://127.0.0.1:8080 -key $(cat data/admin-api-key)
//
// Both loops are timed in CPU time of their own thread (Linux RUSAGE_THREAD), so other processes on
// a busy machine do not count, and in wall time; rounds alternate the loops and the fastest round of
// each is reported.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"syscall"
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

const rusageThread = 1 // RUSAGE_THREAD: this OS thread alone

func threadCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(rusageThread, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type best struct{ cpu, wall time.Duration }

func (b *best) time(f func()) {
	cpu0, wall0 := threadCPU(), time.Now()
	f()
	cpu, wall := threadCPU()-cpu0, time.Since(wall0)
	if b.cpu == 0 || cpu < b.cpu {
		b.cpu = cpu
	}
	if b.wall == 0 || wall < b.wall {
		b.wall = wall
	}
}

func main() {
	url := flag.String("url", os.Getenv("WANLLMDB_BASE_URL"), "server URL")
	key := flag.String("key", os.Getenv("WANLLMDB_API_KEY"), "API key")
	n := flag.Int("n", 100_000, "log() calls per round")
	rounds := flag.Int("rounds", 10, "rounds of each loop")
	hold := flag.Bool("hold", false, "seal no chunk while measuring (chunks are written and uploaded at Finish)")
	flag.Parse()
	runtime.LockOSThread() // the loops run on one OS thread, which RUSAGE_THREAD measures
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
	var base, logged best
	for round := 0; round < *rounds; round++ {
		base.time(func() {
			for i := 0; i < *n; i++ {
				sink += len(values(i))
			}
		})
		logged.time(func() {
			for i := 0; i < *n; i++ {
				_ = run.Log(values(i))
			}
		})
	}
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 / float64(*n) }
	fmt.Printf("go (hold=%v) us per call, cpu [wall]: baseline (build the 10-scalar map) %.3f [%.3f]; "+
		"with log() %.3f [%.3f]; log() itself %.3f [%.3f]\n", *hold, per(base.cpu), per(base.wall),
		per(logged.cpu), per(logged.wall), per(logged.cpu-base.cpu), per(logged.wall-base.wall))
	if err := run.Finish(0); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
