package io.walcast.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An HTTP proxy in front of the Kinesis emulator that throttles like Kinesis, which the emulator
 * never does: the records of a {@code PutRecords} that {@link #refuses} are answered with {@code
 * ProvisionedThroughputExceededException}, the others are forwarded, and the two answers are merged
 * in the request's order. Every other request passes through. It can also refuse connections
 * altogether, like an outage. Needs the JSON protocol: run the client with {@code
 * aws.cborEnabled=false}.
 */
public abstract class KinesisProxy implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> HOP_HEADERS =
            Set.of(
                    "host",
                    "content-length",
                    "connection",
                    "transfer-encoding",
                    "expect",
                    "upgrade");

    private final String target;
    private final int port;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong forwarded = new AtomicLong();
    private HttpServer server;
    private ExecutorService executor;

    protected KinesisProxy(String targetEndpoint) throws IOException {
        this.target = targetEndpoint;
        this.port = KinesisEmulator.freePort();
        accept();
    }

    /** Whether this record of a {@code PutRecords} is refused as over its shard's throughput. */
    protected abstract boolean refuses(JsonNode record, long nowNanos);

    /** Whether any record may be refused now; when not, requests pass through unread. */
    protected boolean throttling() {
        return true;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Records answered with ProvisionedThroughputExceededException so far. */
    public long rejected() {
        return rejected.get();
    }

    /** Records passed on to the emulator so far. */
    public long forwarded() {
        return forwarded.get();
    }

    /** Closes the listening socket: new connections are refused until {@link #accept()}. */
    public synchronized void refuseConnections() {
        if (server != null) {
            server.stop(0);
            server = null;
            executor.shutdownNow();
        }
    }

    public synchronized void accept() throws IOException {
        if (server == null) {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
            executor = Executors.newFixedThreadPool(8);
            server.setExecutor(executor);
            server.createContext("/", this::handle);
            server.start();
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            String amzTarget = ex.getRequestHeaders().getFirst("X-Amz-Target");
            boolean putRecords = amzTarget != null && amzTarget.endsWith(".PutRecords");
            if (putRecords && throttling() && isJson(ex)) {
                putRecords(ex, body);
            } else {
                HttpResponse<byte[]> r = forward(ex, body);
                if (putRecords) {
                    forwarded.addAndGet(countRecords(body));
                }
                reply(ex, r);
            }
        } catch (Exception e) {
            ex.sendResponseHeaders(502, -1);
        }
    }

    private void putRecords(HttpExchange ex, byte[] body) throws Exception {
        ObjectNode request = (ObjectNode) JSON.readTree(body);
        ArrayNode records = (ArrayNode) request.get("Records");
        boolean[] refused = new boolean[records.size()];
        ArrayNode passed = JSON.createArrayNode();
        long now = System.nanoTime();
        for (int i = 0; i < records.size(); i++) {
            refused[i] = refuses(records.get(i), now);
            if (!refused[i]) {
                passed.add(records.get(i));
            }
        }
        JsonNode accepted = null;
        if (!passed.isEmpty()) {
            request.set("Records", passed);
            HttpResponse<byte[]> r = forward(ex, JSON.writeValueAsBytes(request));
            if (r.statusCode() != 200) {
                reply(ex, r);
                return;
            }
            accepted = JSON.readTree(r.body()).get("Records");
            forwarded.addAndGet(passed.size());
        }
        ObjectNode response = JSON.createObjectNode();
        ArrayNode results = response.putArray("Records");
        int failed = 0;
        int next = 0;
        for (int i = 0; i < records.size(); i++) {
            if (refused[i]) {
                failed++;
                results.addObject()
                        .put("ErrorCode", "ProvisionedThroughputExceededException")
                        .put("ErrorMessage", "Rate exceeded for shard (test proxy)");
            } else {
                JsonNode r = accepted.get(next++);
                if (r.has("ErrorCode")) {
                    failed++;
                }
                results.add(r);
            }
        }
        response.put("FailedRecordCount", failed);
        rejected.addAndGet(records.size() - passed.size());
        reply(ex, 200, "application/x-amz-json-1.1", JSON.writeValueAsBytes(response));
    }

    private static boolean isJson(HttpExchange ex) {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        return type != null && type.contains("json");
    }

    private static int countRecords(byte[] body) {
        try {
            return JSON.readTree(body).get("Records").size();
        } catch (Exception cbor) {
            return 0;
        }
    }

    private HttpResponse<byte[]> forward(HttpExchange ex, byte[] body) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(target + ex.getRequestURI()))
                        .method(
                                ex.getRequestMethod(),
                                HttpRequest.BodyPublishers.ofByteArray(body));
        for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
            if (!HOP_HEADERS.contains(h.getKey().toLowerCase())) {
                for (String v : h.getValue()) {
                    b.header(h.getKey(), v);
                }
            }
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void reply(HttpExchange ex, HttpResponse<byte[]> r) throws IOException {
        reply(ex, r.statusCode(), r.headers().firstValue("Content-Type").orElse(null), r.body());
    }

    private static void reply(HttpExchange ex, int status, String contentType, byte[] body)
            throws IOException {
        if (contentType != null) {
            ex.getResponseHeaders().set("Content-Type", contentType);
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    @Override
    public void close() {
        refuseConnections();
    }
}
