package wanllmdb

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// MaxKeyLength is the longest metric name, as in the Python SDK.
const MaxKeyLength = 256

// row is one metric value of one step: a lake row (schemas/lake_schema.json metric_columns). It
// holds no pointers (the key and a text value are indexes), so the garbage collector never scans
// the buffer of rows, however long it grows while the server is away.
type row struct {
	step  int64
	ts    int64 // epoch milliseconds
	value float64
	key   int32 // index into the run's key names
	text  int32 // index into the buffer's texts, or -1 for a number
}

// buffer is the rows logged since the last chunk, with the strings they point at.
type buffer struct {
	rows  []row
	texts []string
}

// InvalidValueError names the key (or argument) of a value Log, Summary or Config refuses.
type InvalidValueError struct {
	Key     string
	Message string
}

func (e *InvalidValueError) Error() string { return e.Message }

func checkKey(call, key string) error {
	if key == "" {
		return &InvalidValueError{Key: key, Message: call + ": empty key; give every metric a name"}
	}
	if len(key) > MaxKeyLength {
		return &InvalidValueError{Key: key, Message: fmt.Sprintf(
			"%s: key %.40q... is %d characters; the limit is %d", call, key, len(key), MaxKeyLength)}
	}
	return nil
}

// scalar converts one logged value: numbers become float64 (NaN and infinities allowed), strings text.
func scalar(key string, v any) (float64, string, bool, error) {
	switch x := v.(type) {
	case float64:
		return x, "", false, nil
	case float32:
		return float64(x), "", false, nil
	case int:
		return float64(x), "", false, nil
	case int8:
		return float64(x), "", false, nil
	case int16:
		return float64(x), "", false, nil
	case int32:
		return float64(x), "", false, nil
	case int64:
		return float64(x), "", false, nil
	case uint:
		return float64(x), "", false, nil
	case uint8:
		return float64(x), "", false, nil
	case uint16:
		return float64(x), "", false, nil
	case uint32:
		return float64(x), "", false, nil
	case uint64:
		return float64(x), "", false, nil
	case string:
		return 0, x, true, nil
	case nil:
		return 0, "", false, &InvalidValueError{Key: key, Message: fmt.Sprintf("log: %q is nil; log a number or a string", key)}
	default:
		return 0, "", false, &InvalidValueError{Key: key, Message: fmt.Sprintf(
			"log: %q is a %T; log a number (int, float) or a string", key, v)}
	}
}

// jsonValue is how summary and config leaves travel: JSON has no NaN, so a NaN fails here, with its key.
func jsonValue(call string, values map[string]any) ([]byte, error) {
	for k, v := range values {
		if err := checkKey(call, k); err != nil {
			return nil, err
		}
		if _, err := json.Marshal(v); err != nil {
			return nil, &InvalidValueError{Key: k, Message: fmt.Sprintf("%s: %q cannot be sent as JSON: %v", call, k, err)}
		}
	}
	return json.Marshal(values)
}

// encodeChunk writes rows as one gzip JSON-lines chunk (schemas/jsonl_chunk.schema.json).
// Keys are quoted once per chunk, not once per row.
func encodeChunk(b buffer, names []string, attempt int) ([]byte, error) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	quoted := make(map[int32][]byte)
	line := make([]byte, 0, 256)
	for i := range b.rows {
		r := &b.rows[i]
		q, ok := quoted[r.key]
		if !ok {
			q, _ = json.Marshal(names[r.key])
			quoted[r.key] = q
		}
		line = append(line[:0], `{"step":`...)
		line = strconv.AppendInt(line, r.step, 10)
		line = append(line, `,"ts":`...)
		line = strconv.AppendInt(line, r.ts, 10)
		line = append(line, `,"key":`...)
		line = append(line, q...)
		line = append(line, `,"attempt":`...)
		line = strconv.AppendInt(line, int64(attempt), 10)
		if r.text >= 0 {
			t, _ := json.Marshal(b.texts[r.text])
			line = append(line, `,"value":null,"text":`...)
			line = append(line, t...)
		} else {
			line = append(line, `,"value":`...)
			line = appendFloat(line, r.value)
		}
		line = append(line, "}\n"...)
		if _, err := zw.Write(line); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, `"NaN"`...)
	case math.IsInf(f, 1):
		return append(b, `"Infinity"`...)
	case math.IsInf(f, -1):
		return append(b, `"-Infinity"`...)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}
