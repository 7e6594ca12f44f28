package nioreactor.robustness;

import java.net.InetSocketAddress;
import nioreactor.demo.LoopbackReactor;
import nioreactor.reactor.Limits;
import nioreactor.server.UpperEcho;

/**
 * A child-process main with nothing but a reactor and an upper-echo listener: no JMX, no metrics, no CLI. Whatever
 * those happen to initialise in the JDK at start-up cannot hide a reactor fault from the descriptor-exhaustion test.
 */
public final class BareEchoMain {
    private BareEchoMain() {
    }

    public static void main(String[] args) throws Exception {
        LoopbackReactor server = new LoopbackReactor("bare");
        InetSocketAddress address = server.listen("bare", UpperEcho.forOneReactor(), Limits.DEFAULTS);
        System.err.println("upper-echo listening on tcp 127.0.0.1:" + address.getPort());
        server.reactor().awaitTermination(java.time.Duration.ofDays(1)); // until the test kills it
    }
}
