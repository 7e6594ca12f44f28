package nioreactor.demo;

import java.util.List;
import java.util.Optional;

/** Every demo, in the order the seed tutorial reaches its experiment. */
public final class Demos {
    public static final List<Demo> ALL = List.of(
            new StickyDemo(),
            new PartialReadDemo(),
            new UdpBoundariesDemo(),
            new UdpNoServerDemo(),
            new SendVsSendallDemo(),
            new RecvEofDemo(),
            new BlockingVsNioDemo());

    private Demos() {
    }

    public static Optional<Demo> named(String name) {
        return ALL.stream().filter(d -> d.name().equals(name)).findFirst();
    }
}
