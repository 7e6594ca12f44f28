package nioreactor.server;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * A service could not bind its port (usually: another process holds it). Carries what a user needs to fix it: which
 * service, which protocol, which address; the cause is the JDK's {@link java.net.BindException} or similar.
 */
public final class ServiceBindException extends IOException {
    private final String service;
    private final String protocol;
    private final InetSocketAddress address;

    public ServiceBindException(String service, String protocol, InetSocketAddress address, IOException cause) {
        super("cannot bind " + service + " to " + protocol + " " + address.getHostString() + ":" + address.getPort()
                + ": " + cause.getMessage(), cause);
        this.service = service;
        this.protocol = protocol;
        this.address = address;
    }

    /** e.g. "upper-echo", "time", "metrics". */
    public String service() {
        return service;
    }

    /** "tcp" or "udp". */
    public String protocol() {
        return protocol;
    }

    public InetSocketAddress address() {
        return address;
    }
}
