package nioreactor.soak;

/** One kind of traffic; the soak runs each on its own thread, round after round, until the time is up. */
interface Load {
    String name();

    /** One round (a connection's life, a burst): throws on anything a correct server would not do. */
    void round() throws Exception;
}
