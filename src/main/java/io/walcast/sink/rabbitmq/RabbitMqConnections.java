package io.walcast.sink.rabbitmq;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.walcast.config.RabbitMqSinkConfig;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.flink.streaming.connectors.rabbitmq.common.RMQConnectionConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections to the broker of a {@code sinks.rabbitmq} section: settings through the Flink
 * connector's {@link RMQConnectionConfig}, automatic recovery off (a recovered channel restarts its
 * delivery tags, so confirms could not be matched: the job restarts instead), TLS that verifies the
 * broker, and connecting with backoff. Errors never carry the URI (it holds the password).
 */
final class RabbitMqConnections {
    private static final Logger LOG = LoggerFactory.getLogger(RabbitMqConnections.class);

    private RabbitMqConnections() {}

    static ConnectionFactory factory(RabbitMqSinkConfig c) {
        RMQConnectionConfig settings =
                new RMQConnectionConfig.Builder()
                        .setUri(c.uri().value())
                        .setAutomaticRecovery(false)
                        .setTopologyRecoveryEnabled(false)
                        .setConnectionTimeout((int) c.connectionTimeout().toMillis())
                        .setRequestedHeartbeat(30)
                        .build();
        ConnectionFactory f;
        try {
            f = settings.getConnectionFactory();
        } catch (Exception e) {
            // the cause's message may quote the URI, password included
            throw new IllegalArgumentException(
                    "sinks.rabbitmq.uri is not a usable AMQP URI (value hidden): "
                            + e.getClass().getSimpleName());
        }
        if (c.usesTls()) {
            // setUri installs a trust-everything context for amqps: replace it with one that checks
            f.useSslProtocol(sslContext(c.tls()));
            if (c.tls().verifyHostname()) {
                f.enableHostnameVerification();
            }
        }
        return f;
    }

    /** The JVM's trust store, or the configured one. */
    static SSLContext sslContext(RabbitMqSinkConfig.Tls tls) {
        try {
            TrustManagerFactory tmf =
                    TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (tls.trustStore() == null) {
                tmf.init((KeyStore) null);
            } else {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                char[] password =
                        tls.trustStorePassword().isEmpty()
                                ? null
                                : tls.trustStorePassword().value().toCharArray();
                try (InputStream in = new FileInputStream(tls.trustStore())) {
                    store.load(in, password);
                }
                tmf.init(store);
            }
            SSLContext ctx = SSLContext.getInstance("TLSv1.2");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "sinks.rabbitmq.tls.trust-store "
                            + tls.trustStore()
                            + " cannot be loaded: "
                            + e.getMessage()
                            + "; give a JKS/PKCS12 file and its trust-store-password",
                    e);
        }
    }

    /** Connects, retrying with {@link Backoff} up to {@code connect-attempts} times. */
    static Connection connect(ConnectionFactory f, RabbitMqSinkConfig c, String name)
            throws IOException, InterruptedException {
        String where = f.getHost() + ":" + f.getPort() + f.getVirtualHost();
        for (int attempt = 1; ; attempt++) {
            try {
                return f.newConnection(name);
            } catch (IOException | java.util.concurrent.TimeoutException e) {
                if (attempt >= c.connectAttempts()) {
                    throw new IOException(
                            "cannot connect to RabbitMQ at "
                                    + where
                                    + " after "
                                    + attempt
                                    + " attempts: "
                                    + rootMessage(e)
                                    + "; check that the broker runs and sinks.rabbitmq.uri (the"
                                    + " job restarts and tries again)",
                            e);
                }
                Duration delay = Backoff.DEFAULT.delay(attempt);
                LOG.warn(
                        "Cannot connect to RabbitMQ at {} (attempt {}/{}): {}; retrying in {} ms",
                        where,
                        attempt,
                        c.connectAttempts(),
                        rootMessage(e),
                        delay.toMillis());
                Thread.sleep(delay.toMillis());
            }
        }
    }

    /** The innermost message: the broker's reply text sits in the cause of an empty one. */
    static String rootMessage(Throwable e) {
        String message = e.toString();
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message;
    }
}
