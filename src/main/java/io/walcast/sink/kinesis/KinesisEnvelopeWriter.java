package io.walcast.sink.kinesis;

import io.walcast.config.KinesisSinkConfig;
import io.walcast.envelope.ChangeEnvelope;
import io.walcast.envelope.Lsn;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.awscore.exception.AwsServiceException;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.SdkBytes;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts envelopes on a Kinesis stream with {@code PutRecords}, several requests in flight, batches
 * from {@link OrderedBatches} so a row's changes are accepted in commit order even when some
 * records of a request fail. Everything buffered is put before a checkpoint completes ({@link
 * #flush}): at-least-once. Records Kinesis rejects (throttling) wait a short, capped, jittered
 * delay ({@link #recordRetryDelay}) while the records of other keys keep going, and the records in
 * flight follow what the stream takes ({@link InFlightLimit}: halved when throttled, raised step by
 * step when not), so a throttled stream is kept at its capacity instead of idling in backoff. Whole
 * requests that fail (endpoint unreachable, time-outs) stop all requests with exponential backoff
 * (100 ms to 5 s). Failed records are retried until they succeed, unless {@code fail-on-error} is
 * set or the error cannot succeed (missing stream, credentials). Responses come back on SDK threads
 * and are handed to the task's mailbox, so all state is touched by the task thread only.
 */
final class KinesisEnvelopeWriter implements SinkWriter<ChangeEnvelope> {
    private static final Logger LOG = LoggerFactory.getLogger(KinesisEnvelopeWriter.class);

    private final KinesisSinkConfig config;
    private final KinesisAsyncClient client;
    private final MailboxExecutor mailbox;
    private final ProcessingTimeService time;
    private final DeadLetters deadLetters;
    private final OrderedBatches<byte[]> batches = new OrderedBatches<>();

    /** Whole requests failing (endpoint unreachable, time-outs, 5xx): back off every request. */
    private final Backoff requestBackoff =
            new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

    private final InFlightLimit limit;
    private final Counter sent;
    private final Counter sentBytes;
    private final Counter retried;
    private final Counter sendErrors;
    private final Counter deadLettered;
    private int inFlightRequests;
    private long requests;
    private long retryNotBefore;
    private long wakeAt = Long.MAX_VALUE;
    private RuntimeException fatal;
    private boolean closed;
    private long lastWarnMillis = Long.MIN_VALUE / 2;
    private static final long WARN_INTERVAL_MILLIS = 10_000;
    static final long RECORD_RETRY_MIN_MILLIS = 50;
    static final long RECORD_RETRY_MAX_MILLIS = 1000;

    KinesisEnvelopeWriter(
            KinesisSinkConfig config,
            KinesisAsyncClient client,
            MailboxExecutor mailbox,
            ProcessingTimeService time,
            SinkWriterMetricGroup metrics) {
        this.config = config;
        this.client = client;
        this.mailbox = mailbox;
        this.time = time;
        this.limit =
                new InFlightLimit(
                        1,
                        config.maxInFlightRequests() * config.maxBatchRecords(),
                        Math.max(1, config.maxBatchRecords() / 50));
        this.deadLetters =
                config.deadLetterDir() == null
                        ? null
                        : new DeadLetters(Path.of(config.deadLetterDir()));
        this.sent = metrics.getNumRecordsSendCounter();
        this.sentBytes = metrics.getNumBytesSendCounter();
        this.sendErrors = metrics.getNumRecordsSendErrorsCounter();
        this.retried = metrics.counter("numRecordsRetried");
        this.deadLettered = metrics.counter("numDeadLettered");
        metrics.gauge("currentBufferedRecords", batches::size);
        metrics.gauge("currentInFlightRecordLimit", limit::limit);
        scheduleTick();
    }

    @Override
    public void write(ChangeEnvelope envelope, Context context)
            throws IOException, InterruptedException {
        failIfFatal();
        byte[] data = envelope.json();
        String key = PartitionKeys.of(envelope);
        int size = RecordLimits.size(data, key);
        if (!RecordLimits.fits(size)) {
            oversize(envelope, data, size);
            return;
        }
        while (batches.size() >= config.maxBufferedRecords()) {
            send();
            mailbox.yield();
            failIfFatal();
        }
        batches.add(key, size, data);
        if (batches.waiting() >= config.maxBatchRecords()) {
            send();
        }
    }

    private void oversize(ChangeEnvelope e, byte[] data, int size) {
        if (deadLetters == null) {
            throw new KinesisSinkException(
                    "envelope "
                            + e.id()
                            + " ("
                            + e.operation()
                            + " on "
                            + e.qualifiedTable()
                            + ", lsn "
                            + (e.lsn() == null ? "none" : Lsn.format(e.lsn()))
                            + ") is "
                            + size
                            + " bytes with its partition key; a Kinesis record holds at most "
                            + RecordLimits.MAX_RECORD_BYTES
                            + " bytes. Set sinks.kinesis.dead-letter-dir to keep such envelopes"
                            + " as files, or exclude the large columns with a filter; the job"
                            + " restarts from its last checkpoint, so nothing is lost.");
        }
        Path file = deadLetters.write(e.resource(), e.id(), data);
        deadLettered.inc();
        LOG.warn(
                "Envelope {} of {} is {} bytes, over the Kinesis record limit; written to {}"
                        + " (counted in numDeadLettered)",
                e.id(),
                e.qualifiedTable(),
                size,
                file);
    }

    /** Blocks until every buffered record is on the stream; runs before each checkpoint. */
    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
        while (!batches.isEmpty()) {
            failIfFatal();
            send();
            mailbox.yield();
        }
        failIfFatal();
    }

    /**
     * Sends batches while requests may start: no whole-request failure being backed off, under the
     * in-flight request limit, each request as big as the in-flight record limit allows; wakes up
     * again when the earliest throttled record may be retried.
     */
    private void send() {
        if (closed || fatal != null) {
            return;
        }
        long now = time.getCurrentProcessingTime();
        if (now < retryNotBefore) {
            wakeAt(retryNotBefore);
            return;
        }
        int perRequest =
                Math.max(
                        1,
                        Math.min(
                                config.maxBatchRecords(),
                                limit.limit() / config.maxInFlightRequests()));
        // Below one record per request, the limit spaces requests out instead of shrinking them.
        while (inFlightRequests < config.maxInFlightRequests()
                && (inFlightRequests == 0 || batches.inFlight() + perRequest <= limit.limit())) {
            List<OrderedBatches.Entry<byte[]>> batch =
                    batches.next(now, perRequest, config.maxBatchBytes());
            if (batch.isEmpty()) {
                break;
            }
            put(batch);
        }
        long retryAt = batches.nextRetryAt();
        if (retryAt != Long.MAX_VALUE) {
            wakeAt(retryAt);
        }
    }

    /** Calls {@link #send} at {@code at}, unless an earlier wake-up is pending. */
    private void wakeAt(long at) {
        if (at >= wakeAt) {
            return;
        }
        wakeAt = at;
        time.registerTimer(
                at,
                t -> {
                    if (wakeAt <= t) {
                        wakeAt = Long.MAX_VALUE;
                    }
                    send();
                });
    }

    private void put(List<OrderedBatches.Entry<byte[]>> batch) {
        List<PutRecordsRequestEntry> records = new ArrayList<>(batch.size());
        for (OrderedBatches.Entry<byte[]> e : batch) {
            records.add(
                    PutRecordsRequestEntry.builder()
                            .partitionKey(e.key())
                            .data(SdkBytes.fromByteArrayUnsafe(e.value()))
                            .build());
        }
        PutRecordsRequest.Builder request = PutRecordsRequest.builder().records(records);
        if (config.stream().startsWith("arn:")) {
            request.streamARN(config.stream());
        } else {
            request.streamName(config.stream());
        }
        inFlightRequests++;
        long number = ++requests;
        client.putRecords(request.build())
                .whenComplete(
                        (response, error) ->
                                mailbox.execute(
                                        () -> completed(number, batch, response, error),
                                        "kinesis PutRecords response"));
    }

    private void completed(
            long number,
            List<OrderedBatches.Entry<byte[]>> batch,
            PutRecordsResponse response,
            Throwable error) {
        inFlightRequests--;
        long now = time.getCurrentProcessingTime();
        List<OrderedBatches.Entry<byte[]>> failed = new ArrayList<>();
        String firstError = null;
        boolean slowDown = false;
        long retryAt;
        if (error != null) {
            failed.addAll(batch);
            Throwable cause =
                    error instanceof CompletionException && error.getCause() != null
                            ? error.getCause()
                            : error;
            String code = errorCode(cause);
            if (code == null
                    && String.valueOf(cause.getMessage()).contains("Unable to load credentials")) {
                code = "MissingAuthenticationTokenException";
            }
            firstError =
                    (code == null ? cause.getClass().getSimpleName() : code)
                            + ": "
                            + cause.getMessage();
            if (!KinesisErrors.retryable(code)) {
                fatal =
                        new KinesisSinkException(
                                "PutRecords to stream '"
                                        + config.stream()
                                        + "' failed with "
                                        + firstError
                                        + "; "
                                        + KinesisErrors.advice(code),
                                cause);
            }
            // The whole request failed (endpoint down, time-out, 5xx): no request for a while.
            slowDown = true;
            retryNotBefore = now + requestBackoff.failed();
            retryAt = retryNotBefore;
        } else {
            requestBackoff.succeeded();
            List<PutRecordsResultEntry> results = response.records();
            long bytes = 0;
            int mostFailures = 0;
            for (int i = 0; i < batch.size(); i++) {
                PutRecordsResultEntry r = results.get(i);
                if (r.errorCode() != null) {
                    OrderedBatches.Entry<byte[]> e = batch.get(i);
                    failed.add(e);
                    mostFailures = Math.max(mostFailures, e.failures());
                    slowDown |= KinesisErrors.throttling(r.errorCode());
                    if (firstError == null) {
                        firstError = r.errorCode() + ": " + r.errorMessage();
                    }
                    if (!KinesisErrors.retryable(r.errorCode()) && fatal == null) {
                        fatal =
                                new KinesisSinkException(
                                        "Kinesis rejected a record for stream '"
                                                + config.stream()
                                                + "' with "
                                                + firstError
                                                + "; "
                                                + KinesisErrors.advice(r.errorCode()));
                    }
                } else {
                    bytes += batch.get(i).bytes();
                }
            }
            sent.inc(batch.size() - failed.size());
            sentBytes.inc(bytes);
            // Only the rejected records wait, briefly: the other keys and shards keep going.
            retryAt = failed.isEmpty() ? Long.MIN_VALUE : now + recordRetryDelay(mostFailures);
        }
        if (slowDown) {
            limit.throttled(number, requests);
        } else if (failed.isEmpty()) {
            limit.succeeded();
        }
        batches.completed(batch, failed, retryAt);
        if (!failed.isEmpty()) {
            sendErrors.inc(failed.size());
            retried.inc(failed.size());
            if (config.failOnError() && fatal == null) {
                fatal =
                        new KinesisSinkException(
                                failed.size()
                                        + " of "
                                        + batch.size()
                                        + " records failed (first: "
                                        + firstError
                                        + ") and sinks.kinesis.fail-on-error is true; the job restarts from"
                                        + " its last checkpoint. Set fail-on-error: false to retry instead.");
            }
            // Under sustained throttling every request fails partly: one WARN per interval, the
            // rest at DEBUG; numRecordsRetried counts them all.
            if (now - lastWarnMillis >= WARN_INTERVAL_MILLIS) {
                lastWarnMillis = now;
                LOG.warn(
                        "{} of {} records to Kinesis stream '{}' failed ({}); retrying in {} ms, in"
                                + " their original order, with at most {} records in flight"
                                + " (numRecordsRetried counts every retry)",
                        failed.size(),
                        batch.size(),
                        config.stream(),
                        firstError,
                        retryAt - now,
                        limit.limit());
            } else {
                LOG.debug("{} of {} records failed ({})", failed.size(), batch.size(), firstError);
            }
        }
        send();
    }

    /**
     * How long records rejected by Kinesis wait before they go again: 50 ms, doubling with each
     * earlier rejection of the same record up to 1 s (a shard's throughput limit is per second),
     * jittered so that throttled writers do not retry in step.
     */
    static long recordRetryDelay(int earlierFailures) {
        long delay =
                Math.min(
                        RECORD_RETRY_MAX_MILLIS,
                        RECORD_RETRY_MIN_MILLIS << Math.min(earlierFailures, 10));
        return delay / 2 + ThreadLocalRandom.current().nextLong(delay / 2 + 1);
    }

    private static String errorCode(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof AwsServiceException a && a.awsErrorDetails() != null) {
                return a.awsErrorDetails().errorCode();
            }
        }
        return null;
    }

    /** Sends what waits at least every buffer-time, so a quiet feed still leaves within it. */
    private void scheduleTick() {
        long period = Math.max(1, config.bufferTime().toMillis());
        time.registerTimer(
                time.getCurrentProcessingTime() + period,
                t -> {
                    if (!closed) {
                        send();
                        scheduleTick();
                    }
                });
    }

    private void failIfFatal() {
        if (fatal != null) {
            throw fatal;
        }
    }

    @Override
    public void close() {
        closed = true;
        client.close();
    }
}
