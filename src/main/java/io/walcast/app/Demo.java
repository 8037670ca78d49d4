package io.walcast.app;

import io.walcast.config.JobConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code walcast demo}: an embedded Postgres with logical WAL, a sample schema and a workload, and
 * the job from {@code demo/demo.yaml} running locally with the Web UI. Nothing to install first.
 */
final class Demo {
    private static final Logger LOG = LoggerFactory.getLogger(Demo.class);

    private Demo() {}

    static void run(Options options) throws Exception {
        Path dataDir = Files.createTempDirectory("walcast-demo-pg");
        try (EmbeddedPostgres pg =
                EmbeddedPostgres.builder()
                        .setDataDirectory(dataDir)
                        .setCleanDataDirectory(true)
                        .setServerConfig("wal_level", "logical")
                        .setServerConfig("max_replication_slots", "4")
                        .setServerConfig("max_wal_senders", "4")
                        // Postgres's default (the embedded server turns it off, and its commits
                        // then reach the walsender only at the WAL writer's next flush)
                        .setServerConfig("synchronous_commit", "on")
                        .start()) {
            LOG.info(
                    "embedded Postgres on port {} (user postgres, database postgres)",
                    pg.getPort());
            try (Connection c = pg.getPostgresDatabase().getConnection();
                    Statement st = c.createStatement()) {
                st.execute(resource("demo/schema.sql"));
            }
            JobConfig job =
                    JobConfig.parse(
                            resource("demo/demo.yaml"),
                            "demo/demo.yaml",
                            Map.of("DEMO_PG_PORT", Integer.toString(pg.getPort())));
            Thread workload = new Thread(() -> workload(pg), "demo-workload");
            workload.setDaemon(true);
            workload.start();
            Path state = Files.createTempDirectory("walcast-demo-state");
            JobRunner.run(
                    job,
                    new Options(null, true, options.webPort(), true, state, options.parallelism()));
        }
    }

    /** A bookmark upserted only when it changed, new articles, edits, deletes and events. */
    private static void workload(EmbeddedPostgres pg) {
        String upsert =
                "insert into bookmarks (user_id, url, title) values (?, ?, ?)"
                        + " on conflict (user_id, url) do update"
                        + " set visits = bookmarks.visits + 1, title = excluded.title,"
                        + " updated_at = now()"
                        + " where bookmarks.title is distinct from excluded.title"
                        + " or bookmarks.updated_at < now() - interval '2 seconds'";
        try (Connection c = pg.getPostgresDatabase().getConnection();
                PreparedStatement bookmark = c.prepareStatement(upsert);
                Statement st = c.createStatement()) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            for (int tick = 0; !Thread.currentThread().isInterrupted(); tick++) {
                Thread.sleep(1000);
                bookmark.setLong(1, random.nextInt(1, 4));
                bookmark.setString(2, "https://example.com/" + random.nextInt(5));
                bookmark.setString(3, "Page " + random.nextInt(3));
                bookmark.executeUpdate();
                st.execute(
                        "insert into events (occurred_at, kind, payload) values (now(), 'tick',"
                                + " jsonb_build_object('n', "
                                + tick
                                + "))");
                switch (tick % 4) {
                    case 0 ->
                            st.execute(
                                    "insert into blog_articles (title, tags, author_email, rating) values"
                                            + " ('Post "
                                            + tick
                                            + "', '{demo}', 'writer@example.com', 4.20)");
                    case 1 ->
                            st.execute(
                                    "update blog_articles set rating = rating + 0.25, updated_at = now()"
                                            + " where id = (select max(id) from blog_articles)");
                    case 2 ->
                            st.execute("update blog_articles set updated_at = now() where id = 1");
                    default ->
                            st.execute(
                                    "delete from blog_articles where id = (select min(id) from"
                                            + " blog_articles where id > 2)");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("demo workload stopped: {}", e.toString());
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = Demo.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
