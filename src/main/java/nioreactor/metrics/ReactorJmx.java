package nioreactor.metrics;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.InstanceAlreadyExistsException;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanException;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import nioreactor.reactor.Reactor;
import nioreactor.reactor.ReactorStats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reactor's counters as the MBean {@code nioreactor:type=Reactor}, so jconsole or VisualVM show them live. The
 * attributes are the {@link Metric#ALL} list (JMX names from {@link Metric#attributeName()}) plus the loop time.
 *
 * <p>A dynamic MBean rather than an interface with one getter per counter: the list of counters is written once, in
 * {@link Metric}. Each read asks the reactor thread for a {@link ReactorStats} snapshot (the single-thread rule), waiting at
 * most {@link #TIMEOUT_MILLIS}; several attributes read together come from one copy.
 *
 * <p>Several servers in one JVM (tests do this) cannot share a name: the first gets {@code nioreactor:type=Reactor},
 * the next ones {@code nioreactor:type=Reactor,name=<reactor name>} and, if that is taken too,
 * {@code name=<reactor name>-2}, {@code -3}... A {@code serve} process, with one server, always has the plain name.
 */
public final class ReactorJmx implements DynamicMBean {
    private static final Logger log = LoggerFactory.getLogger(ReactorJmx.class);
    public static final String OBJECT_NAME = "nioreactor:type=Reactor";
    static final long TIMEOUT_MILLIS = 1_000;
    private static final String LOOP_MEAN = "LoopIterationMeanMicros";
    private static final String LOOP_BUCKETS = "LoopIterationBuckets";

    private final Reactor reactor;
    private volatile ObjectName name;

    private ReactorJmx(Reactor reactor) {
        this.reactor = reactor;
    }

    /** Registers an MBean for {@code reactor}; returns null (and logs why) if JMX refuses, which never stops a server. */
    public static ReactorJmx register(Reactor reactor) {
        ReactorJmx bean = new ReactorJmx(reactor);
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            for (int attempt = 1; attempt <= 100; attempt++) {
                ObjectName candidate = new ObjectName(attempt == 1 ? OBJECT_NAME
                        : OBJECT_NAME + ",name=" + nameValue(reactor.name() + (attempt == 2 ? "" : "-" + (attempt - 1))));
                try {
                    server.registerMBean(bean, candidate);
                    bean.name = candidate;
                    return bean;
                } catch (InstanceAlreadyExistsException taken) {
                    // another server in this JVM has it; try the next name
                }
            }
            log.warn("JMX: no free name for {}; its MBean is not registered", reactor.name());
        } catch (JMException | RuntimeException e) {
            log.warn("JMX: could not register {}: {}", reactor.name(), e.toString());
        }
        return null;
    }

    /** Plain when it can be ({@code name=reactor-0}), quoted only when the reactor's name needs it. */
    private static String nameValue(String v) {
        return v.matches("[A-Za-z0-9._-]+") ? v : ObjectName.quote(v);
    }

    public ObjectName objectName() {
        return name;
    }

    /** Idempotent; any thread. */
    public void unregister() {
        ObjectName n = name;
        name = null;
        if (n == null) {
            return;
        }
        try {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(n);
        } catch (JMException e) {
            log.debug("JMX: unregistering {} failed: {}", n, e.toString());
        }
    }

    private ReactorStats snapshot() throws MBeanException {
        try {
            return reactor.submit(reactor::stats).get(TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MBeanException(e, "interrupted");
        } catch (Exception e) {
            throw new MBeanException(new IllegalStateException(reactor.name() + " did not answer: " + e),
                    reactor.name() + " did not answer within " + TIMEOUT_MILLIS + " ms");
        }
    }

    private static Object value(ReactorStats stats, String attribute) throws AttributeNotFoundException {
        for (Metric m : Metric.all(stats)) {
            if (m.attributeName().equals(attribute)) {
                return m.value().applyAsLong(stats);
            }
        }
        if (attribute.equals(LOOP_MEAN)) {
            long total = stats.loopTimeTotal();
            return total == 0 ? 0.0 : stats.loopTimeSumNanos() / 1_000.0 / total;
        }
        if (attribute.equals(LOOP_BUCKETS)) {
            List<Long> bounds = ReactorStats.LOOP_TIME_BOUNDS_MICROS;
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i <= bounds.size(); i++) {
                sb.append(i == bounds.size() ? "more" : "<=" + bounds.get(i) + "us")
                        .append(':').append(stats.loopTimeCount(i)).append(i == bounds.size() ? "" : " ");
            }
            return sb.toString();
        }
        throw new AttributeNotFoundException(attribute);
    }

    @Override
    public Object getAttribute(String attribute) throws AttributeNotFoundException, MBeanException {
        return value(snapshot(), attribute);
    }

    @Override
    public AttributeList getAttributes(String[] attributes) {
        AttributeList list = new AttributeList();
        ReactorStats stats;
        try {
            stats = snapshot();
        } catch (MBeanException e) {
            return list; // the JMX convention: attributes that cannot be read are left out
        }
        for (String a : attributes) {
            try {
                list.add(new Attribute(a, value(stats, a)));
            } catch (AttributeNotFoundException ignored) {
                // left out, as above
            }
        }
        return list;
    }

    @Override
    public MBeanInfo getMBeanInfo() {
        List<MBeanAttributeInfo> attributes = new ArrayList<>();
        List<Metric> metrics;
        try {
            metrics = Metric.all(snapshot()); // the services' counters too
        } catch (MBeanException e) {
            metrics = Metric.ALL;
        }
        for (Metric m : metrics) {
            String help = m.help() + (m.reason() == null ? "" : " (" + m.reason() + ")");
            attributes.add(new MBeanAttributeInfo(m.attributeName(), "long", help, true, false, false));
        }
        attributes.add(new MBeanAttributeInfo(LOOP_MEAN, "double",
                "Mean work per loop iteration in microseconds (not time blocked in select)", true, false, false));
        attributes.add(new MBeanAttributeInfo(LOOP_BUCKETS, "java.lang.String",
                "Loop iterations per work-time bucket", true, false, false));
        return new MBeanInfo(getClass().getName(), "Counters of the nioreactor event loop " + reactor.name(),
                attributes.toArray(MBeanAttributeInfo[]::new), null, null, null);
    }

    @Override
    public void setAttribute(Attribute attribute) throws AttributeNotFoundException {
        throw new AttributeNotFoundException("read-only: " + attribute.getName());
    }

    @Override
    public AttributeList setAttributes(AttributeList attributes) {
        return new AttributeList();
    }

    @Override
    public Object invoke(String actionName, Object[] params, String[] signature) throws MBeanException {
        throw new MBeanException(new UnsupportedOperationException(actionName), "no operations");
    }
}
