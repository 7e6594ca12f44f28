package nioreactor.load;

/** A reply was wrong (a byte differs, or more bytes came than were asked for): the run is void. */
public final class LoadFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public LoadFailure(String message) {
        super(message);
    }
}
