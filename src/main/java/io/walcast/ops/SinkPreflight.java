package io.walcast.ops;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import io.walcast.config.KinesisSinkConfig;
import io.walcast.config.PaimonSinkConfig;
import io.walcast.config.RabbitMqSinkConfig;
import io.walcast.config.SinksConfig;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks that each configured sink can be reached and written: an AMQP connection (and the
 * exchange) for RabbitMQ, an HTTP answer from the Kinesis endpoint, a writable Paimon warehouse
 * directory. Never prints a credential.
 */
public final class SinkPreflight {
    static final int TIMEOUT_MILLIS = 5000;

    private SinkPreflight() {}

    public static List<Finding> check(SinksConfig sinks) {
        List<Finding> findings = new ArrayList<>();
        if (sinks.rabbitmq() != null) {
            rabbitmq(sinks.rabbitmq(), findings);
        }
        if (sinks.kinesis() != null) {
            kinesis(sinks.kinesis(), findings);
        }
        if (sinks.paimon() != null) {
            paimon(sinks.paimon(), findings);
        }
        return findings;
    }

    static void rabbitmq(RabbitMqSinkConfig config, List<Finding> findings) {
        String where = withoutCredentials(config.uri().value());
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(config.uri().value());
        } catch (Exception e) {
            findings.add(
                    new Finding(
                            "sinks.rabbitmq.uri",
                            "not an AMQP URI: " + where,
                            "write it as amqp://user:password@host:5672/vhost"));
            return;
        }
        factory.setConnectionTimeout(TIMEOUT_MILLIS);
        factory.setHandshakeTimeout(TIMEOUT_MILLIS);
        factory.setAutomaticRecoveryEnabled(false);
        try (com.rabbitmq.client.Connection connection =
                factory.newConnection("walcast-validate")) {
            if (config.declareExchange()) {
                return;
            }
            Channel channel = connection.createChannel();
            try {
                channel.exchangeDeclarePassive(config.exchange());
            } catch (IOException e) {
                findings.add(
                        new Finding(
                                "sinks.rabbitmq.exchange",
                                "exchange '"
                                        + config.exchange()
                                        + "' does not exist on "
                                        + where
                                        + " (or the user may not use it)",
                                "declare it (rabbitmqadmin declare exchange name="
                                        + config.exchange()
                                        + " type=topic durable=true), or set"
                                        + " sinks.rabbitmq.declare-exchange: true"));
            }
        } catch (Exception e) {
            findings.add(
                    new Finding(
                            "sinks.rabbitmq.uri",
                            "cannot connect to RabbitMQ at " + where + ": " + rootCause(e),
                            "start the broker or fix host, port, vhost, user and password in"
                                    + " sinks.rabbitmq.uri"));
        }
    }

    static void kinesis(KinesisSinkConfig config, List<Finding> findings) {
        if (config.endpoint() == null) {
            return; // the region's AWS endpoint; reachability depends on credentials, not checked
        }
        try {
            HttpURLConnection http =
                    (HttpURLConnection) URI.create(config.endpoint()).toURL().openConnection();
            http.setConnectTimeout(TIMEOUT_MILLIS);
            http.setReadTimeout(TIMEOUT_MILLIS);
            http.getResponseCode(); // any HTTP answer means something listens there
            http.disconnect();
        } catch (IOException | IllegalArgumentException e) {
            findings.add(
                    new Finding(
                            "sinks.kinesis.endpoint",
                            "no HTTP answer from " + config.endpoint() + ": " + e,
                            "start the Kinesis endpoint or fix sinks.kinesis.endpoint (leave it"
                                    + " out to use the AWS endpoint of sinks.kinesis.region)"));
        }
    }

    static void paimon(PaimonSinkConfig config, List<Finding> findings) {
        String warehouse = config.warehouse();
        Path dir;
        if (warehouse.startsWith("file:")) {
            dir = Path.of(URI.create(warehouse));
        } else if (warehouse.matches("[a-zA-Z][a-zA-Z0-9+.-]*://.*")) {
            return; // an object store: checked by Paimon when the job starts
        } else {
            dir = Path.of(warehouse);
        }
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        String problem = null;
        if (existing == null || !Files.isDirectory(existing)) {
            problem = existing + " is not a directory, so the warehouse cannot be created";
        } else {
            try {
                Path probe = Files.createTempFile(existing, ".walcast-validate", ".tmp");
                Files.delete(probe);
            } catch (IOException e) {
                problem = "cannot write in " + existing + ": " + e;
            }
        }
        if (problem != null) {
            findings.add(
                    new Finding(
                            "sinks.paimon.warehouse",
                            warehouse + " is not writable: " + problem,
                            "point sinks.paimon.warehouse at a directory the job's user can"
                                    + " write (it is created if missing)"));
        }
    }

    private static String rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : " " + root.getMessage());
    }

    /** The URI without user and password, for messages. */
    static String withoutCredentials(String uri) {
        try {
            URI u = URI.create(uri);
            return new URI(u.getScheme(), null, u.getHost(), u.getPort(), u.getPath(), null, null)
                    .toString();
        } catch (Exception e) {
            return "<unparseable URI>";
        }
    }
}
