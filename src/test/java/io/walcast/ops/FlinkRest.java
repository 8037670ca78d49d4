package io.walcast.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads a running job's metrics the way the Web UI does: through the Flink REST API. */
final class FlinkRest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String base;

    FlinkRest(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    JsonNode get(String path) throws IOException {
        HttpURLConnection http =
                (HttpURLConnection) URI.create(base + path).toURL().openConnection();
        http.setConnectTimeout(10_000);
        http.setReadTimeout(30_000);
        try (InputStream in = http.getInputStream()) {
            return JSON.readTree(in);
        } finally {
            http.disconnect();
        }
    }

    /** Every metric of every vertex of the job whose id contains {@code part}, id → value. */
    Map<String, String> metrics(String jobId, String part) throws IOException {
        Map<String, String> values = new LinkedHashMap<>();
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            String prefix =
                    "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/metrics";
            StringBuilder wanted = new StringBuilder();
            for (JsonNode m : get(prefix)) {
                String id = m.path("id").asText();
                if (id.contains(part)) {
                    wanted.append(wanted.length() == 0 ? "" : ",").append(id);
                }
            }
            if (wanted.length() > 0) {
                String query = URLEncoder.encode(wanted.toString(), StandardCharsets.UTF_8);
                for (JsonNode m : get(prefix + "?get=" + query)) {
                    values.put(m.path("id").asText(), m.path("value").asText());
                }
            }
        }
        return values;
    }
}
