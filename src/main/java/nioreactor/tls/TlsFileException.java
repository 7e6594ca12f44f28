package nioreactor.tls;

/** A certificate, key or keystore file that cannot be used; the message is one line naming the file and the fault. */
public final class TlsFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public TlsFileException(String message) {
        super(message);
    }
}
