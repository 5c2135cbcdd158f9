// Package wanllmdb logs metrics from Go programs into a wanLLMDB server, the same lake the
// Python SDK writes, through the protocol in docs/ingest-protocol.md.
//
//	run, err := wanllmdb.Init(wanllmdb.Settings{Project: "mnist", Config: map[string]any{"lr": 0.01}})
//	if err != nil { ... }            // bad settings, or the server refused the API key
//	for step := 0; step < 1000; step++ {
//		run.Log(map[string]any{"loss": loss, "acc": acc}) // an error only names a bad key or value
//	}
//	run.Summary(map[string]any{"best_acc": best})
//	err = run.Finish(0)              // ErrNotSynced: rows wait in the spool for wanllmdb.Sync
//
// Log only appends to an in-memory buffer. A background goroutine writes the buffer out as gzip
// JSON-lines chunks (schemas/jsonl_chunk.schema.json) into a spool folder, then uploads them
// through presigned grants, retrying with backoff while the server is down. A network failure
// never reaches Log: the chunks stay in the spool, and Sync uploads them later.
//
// Only the standard library is used (Go 1.19).
package wanllmdb
