package wanllmdb

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// APIError is a non-2xx answer that is not worth retrying: the server's {"error": {code, message, field}}.
type APIError struct {
	Status  int
	Code    string
	Message string
	Field   string
}

func (e *APIError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// transientError is a network failure, a 5xx or a 429: retried with backoff.
type transientError struct {
	err        error
	retryAfter time.Duration
}

func (e *transientError) Error() string { return e.err.Error() }

func isTransient(err error) bool {
	var t *transientError
	return errors.As(err, &t)
}

type client struct {
	base   string
	apiKey string
	http   *http.Client
}

// call sends one JSON request to /api{path} and decodes the answer into out (when not nil).
func (c *client) call(ctx context.Context, method, path string, query url.Values, body, out any) error {
	u := c.base + "/api" + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, reader)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "wanllmdb-go/"+Version)
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.do(req, out)
}

// put sends a chunk to a presigned URL. The grant's headers carry the signed Content-Type; the API
// key is never sent to the blob store.
func (c *client) put(ctx context.Context, g grant, data []byte) error {
	req, err := http.NewRequestWithContext(ctx, g.Method, g.URL, bytes.NewReader(data))
	if err != nil {
		return err
	}
	for k, v := range g.Headers {
		if k != "Content-Length" { // net/http sets it from the body
			req.Header.Set(k, v)
		}
	}
	req.ContentLength = int64(len(data))
	return c.do(req, nil)
}

func (c *client) do(req *http.Request, out any) error {
	resp, err := c.http.Do(req)
	if err != nil {
		return &transientError{err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return &transientError{err: err}
	}
	if resp.StatusCode == 429 || resp.StatusCode >= 500 {
		wait, _ := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64)
		return &transientError{err: fmt.Errorf("HTTP %d from %s", resp.StatusCode, req.URL.Path),
			retryAfter: time.Duration(wait * float64(time.Second))}
	}
	if resp.StatusCode >= 300 {
		var body struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
				Field   string `json:"field"`
			} `json:"error"`
		}
		if json.Unmarshal(data, &body) != nil || body.Error.Code == "" {
			text := string(data)
			if len(text) > 200 {
				text = text[:200]
			}
			return &APIError{Status: resp.StatusCode, Code: "http", Message: text}
		}
		return &APIError{Status: resp.StatusCode, Code: body.Error.Code, Message: body.Error.Message, Field: body.Error.Field}
	}
	if out != nil && len(data) > 0 {
		return json.Unmarshal(data, out)
	}
	return nil
}

// backoff is full-jitter exponential backoff: many clients that lost the server at once do not
// come back in lockstep.
type backoff struct {
	tries int
	max   time.Duration
}

func (b *backoff) next(err error) time.Duration {
	b.tries++
	ceiling := 250 * time.Millisecond << uint(minInt(b.tries, 16))
	if ceiling > b.max || ceiling <= 0 {
		ceiling = b.max
	}
	wait := time.Duration(rand.Int63n(int64(ceiling) + 1))
	var t *transientError
	if errors.As(err, &t) && t.retryAfter > wait {
		wait = t.retryAfter
		if wait > b.max {
			wait = b.max
		}
	}
	return wait
}

func (b *backoff) reset() { b.tries = 0 }

func minInt(a, b int) int {
	if a < b {
		return a
	}
	return b
}

type grant struct {
	Kind    string            `json:"kind"`
	Key     string            `json:"key"`
	URL     string            `json:"url"`
	Method  string            `json:"method"`
	Headers map[string]string `json:"headers"`
}
