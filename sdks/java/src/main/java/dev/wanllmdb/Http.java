package dev.wanllmdb;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** The metadata API and presigned PUTs. A network failure, 5xx or 429 is a {@link Transient}. */
final class Http {
  /** Worth retrying with backoff. */
  static final class Transient extends IOException {
    private static final long serialVersionUID = 1L;

    final Duration retryAfter;

    Transient(String message, Duration retryAfter) {
      super(message);
      this.retryAfter = retryAfter;
    }
  }

  private final HttpClient client;
  private final String base;
  private final String apiKey;
  private final Duration timeout;

  Http(String base, String apiKey, Duration timeout) {
    // HTTP/1.1: the default HTTP/2 sends a cleartext upgrade (h2c) that some servers answer without
    // reading the body of the request it came with.
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    this.base = base;
    this.apiKey = apiKey;
    this.timeout = timeout;
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** One JSON call to /api{path}; the decoded answer (a Map, or null for an empty body). */
  Object call(String method, String path, String projectId, Map<String, ?> body) throws Transient {
    String url = base + "/api" + path + (projectId != null ? "?project_id=" + enc(projectId) : "");
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
        .header("User-Agent", "wanllmdb-java/" + Wanllmdb.VERSION);
    if (!apiKey.isEmpty()) req.header("Authorization", "Bearer " + apiKey);
    if (body != null) {
      req.header("Content-Type", "application/json");
      req.method(method, HttpRequest.BodyPublishers.ofString(Json.write(body, "")));
    } else {
      req.method(method, HttpRequest.BodyPublishers.noBody());
    }
    String text = send(req.build(), path);
    return text.isEmpty() ? null : Json.parse(text);
  }

  /** A chunk to a presigned URL with the grant's headers; the API key is never sent to the blob store. */
  void put(Map<String, Object> grant, byte[] data) throws Transient {
    HttpRequest.Builder req = HttpRequest.newBuilder(URI.create((String) grant.get("url"))).timeout(timeout)
        .method((String) grant.get("method"), HttpRequest.BodyPublishers.ofByteArray(data));
    Object headers = grant.get("headers");
    if (headers instanceof Map<?, ?> h) {
      for (Map.Entry<?, ?> e : h.entrySet()) {
        String name = String.valueOf(e.getKey());
        if (!name.equalsIgnoreCase("Content-Length") && !name.equalsIgnoreCase("Host")) {
          req.header(name, String.valueOf(e.getValue())); // Content-Length comes from the body
        }
      }
    }
    send(req.build(), URI.create((String) grant.get("url")).getPath());
  }

  private String send(HttpRequest request, String path) throws Transient {
    HttpResponse<String> resp;
    try {
      resp = client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new Transient(e.getClass().getSimpleName() + ": " + e.getMessage(), null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Transient("interrupted", null);
    }
    int status = resp.statusCode();
    if (status == 429 || status >= 500) {
      Duration wait = resp.headers().firstValue("Retry-After").map(v -> {
        try {
          return Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
        } catch (NumberFormatException e) {
          return null;
        }
      }).orElse(null);
      throw new Transient("HTTP " + status + " from " + path, wait);
    }
    if (status >= 300) {
      try {
        @SuppressWarnings("unchecked")
        Map<String, Object> err = (Map<String, Object>) ((Map<String, Object>) Json.parse(resp.body())).get("error");
        throw new ApiException(status, String.valueOf(err.get("code")), String.valueOf(err.get("message")),
            err.get("field") == null ? null : String.valueOf(err.get("field")));
      } catch (RuntimeException e) {
        if (e instanceof ApiException a) throw a;
        String text = resp.body().length() > 200 ? resp.body().substring(0, 200) : resp.body();
        throw new ApiException(status, "http", text, null);
      }
    }
    return resp.body();
  }
}
