module github.com/wanllmdb/wanllmdb-go

go 1.19
