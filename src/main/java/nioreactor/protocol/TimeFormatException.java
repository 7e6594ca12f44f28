package nioreactor.protocol;

/**
 * A strftime format that {@link TimeFormat#compile} refuses, with a short human reason such as
 * "unknown conversion %Q" that the time service can send back to its client.
 *
 * <p>Bad formats arrive from the network, so this is an expected answer rather than a bug: the
 * exception records no stack trace (cheap to create, and {@link TimeFormatCache} can hand the
 * same immutable instance out again).
 */
public final class TimeFormatException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Creates the exception; {@code reason} becomes the message. */
  public TimeFormatException(String reason) {
    super(reason, null, false, false);
  }

  /** The short human reason, e.g. "lone % at end of format"; same as {@link #getMessage()}. */
  public String reason() {
    return getMessage();
  }
}
