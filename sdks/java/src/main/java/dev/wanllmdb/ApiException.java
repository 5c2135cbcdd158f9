package dev.wanllmdb;

/** A non-2xx answer that is not worth retrying: the server's {"error": {code, message, field}}. */
public class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public final int status;
  public final String code;
  public final String field;

  public ApiException(int status, String code, String message, String field) {
    super(status + " " + code + ": " + message);
    this.status = status;
    this.code = code;
    this.field = field;
  }
}
