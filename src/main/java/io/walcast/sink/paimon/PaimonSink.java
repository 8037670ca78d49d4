package io.walcast.sink.paimon;

import io.walcast.config.JobConfig;
import io.walcast.config.PaimonSinkConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.sink.EnvelopeSink;
import io.walcast.source.CapturedTable;
import io.walcast.transform.TablePatterns;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.paimon.catalog.Catalog;
import org.apache.paimon.catalog.CatalogContext;
import org.apache.paimon.catalog.CatalogFactory;
import org.apache.paimon.catalog.CatalogLoader;
import org.apache.paimon.catalog.Identifier;
import org.apache.paimon.flink.sink.FlinkSinkBuilder;
import org.apache.paimon.flink.sink.cdc.RichCdcSinkBuilder;
import org.apache.paimon.options.Options;
import org.apache.paimon.schema.Schema;
import org.apache.paimon.schema.SchemaChange;
import org.apache.paimon.table.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Materialized datasets on Apache Paimon: for each resource a primary-key table equal to its
 * Postgres table(s), and, with {@code history: true}, the append-only {@code walcast_history} table
 * of every envelope. Tables are created (or evolved: new columns added) when the job is built;
 * columns added while it runs are added by Paimon's schema evolution as STRING.
 *
 * <p>Exactly-once: Paimon commits on each completed checkpoint, idempotently per checkpoint, so a
 * restart from a checkpoint neither duplicates nor half-applies a commit. Resources whose tables
 * have no primary key get no current-state table (history only; refused when history is off).
 * Truncates delete the rows the truncated table had (their keys are kept in Flink state).
 */
public final class PaimonSink implements EnvelopeSink {
    private static final Logger LOG = LoggerFactory.getLogger(PaimonSink.class);

    private final PaimonSinkConfig config;
    private final JobConfig job;
    private final List<CapturedTable> tables;

    public PaimonSink(PaimonSinkConfig config, JobConfig job, List<CapturedTable> tables) {
        this.config = config;
        this.job = job;
        this.tables = tables;
    }

    @Override
    public String name() {
        return "paimon";
    }

    @Override
    public void attach(DataStream<ChangeEnvelope> envelopes) {
        CatalogLoader loader = new Loader(config.warehouse());
        try (Catalog catalog = loader.load()) {
            catalog.createDatabase(config.database(), true);
            Map<String, String> resourceOfTable = new HashMap<>();
            for (Map.Entry<String, List<CapturedTable>> r : byResource().entrySet()) {
                String resource = r.getKey();
                String other =
                        resourceOfTable.putIfAbsent(
                                CurrentStateTables.tableName(resource), resource);
                if (other != null) {
                    throw new IllegalArgumentException(
                            "sinks.paimon: resources "
                                    + other
                                    + " and "
                                    + resource
                                    + " would share the Paimon table "
                                    + CurrentStateTables.tableName(resource)
                                    + "; give one of them another name under resources:");
                }
                if (r.getValue().stream().noneMatch(CapturedTable::hasPrimaryKey)) {
                    if (!config.history()) {
                        throw new IllegalArgumentException(
                                "sinks.paimon: "
                                        + r.getValue().get(0).qualifiedName()
                                        + " has no primary key, so it cannot have a current-state"
                                        + " table; set sinks.paimon.history: true to keep its"
                                        + " changes in walcast_history, add a primary key, or"
                                        + " exclude the table");
                    }
                    LOG.warn(
                            "Paimon: {} has no primary key: its changes go to {} only",
                            r.getValue().get(0).qualifiedName(),
                            HistoryRows.TABLE);
                    continue;
                }
                TableLayout layout = prepare(catalog, resource, r.getValue());
                Identifier id = Identifier.create(config.database(), layout.table());
                String uid = "sink-paimon-" + layout.table().replace('_', '-');
                DataStream<org.apache.paimon.flink.sink.cdc.RichCdcRecord> records =
                        envelopes
                                .filter(e -> resource.equals(e.resource()))
                                .name(uid + "-filter")
                                .uid(uid + "-filter")
                                .keyBy(ChangeEnvelope::resource, Types.STRING)
                                .process(new CurrentStateFunction(layout))
                                .name(uid + "-rows")
                                .uid(uid + "-rows");
                new RichCdcSinkBuilder(withStableUids(catalog.getTable(id)))
                        .forRichCdcRecord(records)
                        .identifier(id)
                        .catalogLoader(loader)
                        .build();
                LOG.info("Paimon: resource {} materialized in {}", resource, id.getFullName());
            }
            if (config.history()) {
                Identifier id = Identifier.create(config.database(), HistoryRows.TABLE);
                catalog.createTable(id, HistoryRows.schema(tableOptions(false)), true);
                DataStream<org.apache.flink.table.data.RowData> rows =
                        envelopes
                                .map(HistoryRows::row)
                                .returns(InternalTypeInfo.of(HistoryRows.rowType()))
                                .name("sink-paimon-history-rows")
                                .uid("sink-paimon-history-rows");
                new FlinkSinkBuilder(withStableUids(catalog.getTable(id))).forRowData(rows).build();
                LOG.info("Paimon: every change goes to {}", id.getFullName());
            }
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(
                    "cannot prepare Paimon tables in " + config.warehouse() + ": " + e, e);
        }
    }

    /** Creates the table or adds the columns Postgres gained since; returns its layout. */
    private TableLayout prepare(Catalog catalog, String resource, List<CapturedTable> sources)
            throws Exception {
        CurrentStateTables.Wanted wanted = CurrentStateTables.wanted(resource, sources);
        String name = CurrentStateTables.tableName(resource);
        Identifier id = Identifier.create(config.database(), name);
        Table existing;
        try {
            existing = catalog.getTable(id);
        } catch (Catalog.TableNotExistException e) {
            existing = null;
        }
        if (existing == null) {
            Schema.Builder schema = Schema.newBuilder();
            for (CurrentStateTables.Column c : wanted.columns()) {
                schema.column(c.name(), c.type().copy(!wanted.primaryKey().contains(c.name())));
            }
            schema.primaryKey(wanted.primaryKey()).options(tableOptions(true));
            catalog.createTable(id, schema.build(), true);
            LOG.info("Paimon: created {}", id.getFullName());
        } else {
            List<CurrentStateTables.Column> add =
                    CurrentStateTables.missing(
                            wanted,
                            id.getFullName(),
                            existing.rowType().getFields(),
                            existing.primaryKeys());
            List<SchemaChange> changes = new ArrayList<>();
            for (CurrentStateTables.Column c : add) {
                changes.add(SchemaChange.addColumn(c.name(), c.type().copy(true)));
            }
            if (!changes.isEmpty()) {
                catalog.alterTable(id, changes, false);
                LOG.info("Paimon: added columns {} to {}", add, id.getFullName());
            }
        }
        Table table = catalog.getTable(id);
        return new TableLayout(
                name, table.rowType().getFields(), table.primaryKeys(), wanted.json());
    }

    /**
     * Paimon's writer and committer keep state; with this option their uids are {@code
     * <role>_<table>_walcast} instead of hashes of the graph, so adding a resource or a sink does
     * not orphan their state in checkpoints and savepoints.
     */
    private static Table withStableUids(Table table) {
        return table.copy(Map.of("sink.operator-uid.suffix", "walcast"));
    }

    private Map<String, String> tableOptions(boolean primaryKey) {
        Map<String, String> o = new HashMap<>();
        o.put("file.format", config.fileFormat());
        if (primaryKey) {
            o.put("bucket", Integer.toString(config.buckets()));
            // Incremental reads then return row-level changes (+I/-U/+U/-D), not merged files.
            o.put("changelog-producer", "input");
        } else {
            o.put("bucket", "-1");
        }
        if (config.iceberg()) {
            o.put("metadata.iceberg.storage", "table-location");
        }
        o.putAll(config.tableOptions());
        return o;
    }

    private Map<String, List<CapturedTable>> byResource() {
        TablePatterns<String> patterns = new TablePatterns<>(null);
        job.resources().forEach((res, ps) -> ps.forEach(p -> patterns.add(p, res)));
        Map<String, List<CapturedTable>> map = new LinkedHashMap<>();
        for (CapturedTable t : tables) {
            String res = patterns.get(t.qualifiedName());
            map.computeIfAbsent(res == null ? t.table() : res, k -> new ArrayList<>()).add(t);
        }
        return map;
    }

    /** Opens the filesystem catalog on the warehouse; shipped to the writers and committers. */
    static final class Loader implements CatalogLoader {
        private final String warehouse;

        Loader(String warehouse) {
            this.warehouse = warehouse;
        }

        @Override
        public Catalog load() {
            Options o = new Options();
            o.set("warehouse", warehouse);
            // Tables change under us (schema evolution); a cached table would hide that.
            o.set("cache-enabled", "false");
            return CatalogFactory.createCatalog(CatalogContext.create(o));
        }
    }
}
