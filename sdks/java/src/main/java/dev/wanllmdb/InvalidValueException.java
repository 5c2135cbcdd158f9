package dev.wanllmdb;

/** A key, value or setting the SDK refuses; {@link #key()} names it. Nothing of the call is recorded. */
public class InvalidValueException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String key;

  public InvalidValueException(String key, String message) {
    super(message);
    this.key = key;
  }

  /** The refused key (or setting, or argument). */
  public String key() {
    return key;
  }
}
