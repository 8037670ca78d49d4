package io.walcast.app;

import io.walcast.config.JobConfig;
import io.walcast.config.SinksConfig;
import io.walcast.sink.EnvelopeSink;
import io.walcast.sink.kinesis.KinesisSink;
import io.walcast.sink.paimon.PaimonSink;
import io.walcast.sink.rabbitmq.RabbitMqSink;
import io.walcast.sink.stdout.StdoutSink;
import io.walcast.source.CapturedTable;
import java.util.ArrayList;
import java.util.List;

/** Turns {@code sinks:} of a job definition into the sinks the graph fans out to. */
public final class Sinks {
    private Sinks() {}

    public static List<EnvelopeSink> fromConfig(JobConfig job, List<CapturedTable> tables) {
        SinksConfig s = job.sinks();
        List<EnvelopeSink> sinks = new ArrayList<>();
        if (s.stdout() != null) {
            sinks.add(new StdoutSink());
        }
        if (s.rabbitmq() != null) {
            sinks.add(new RabbitMqSink(s.rabbitmq()));
        }
        if (s.kinesis() != null) {
            sinks.add(new KinesisSink(s.kinesis()));
        }
        if (s.paimon() != null) {
            sinks.add(new PaimonSink(s.paimon(), job, tables));
        }
        return sinks;
    }
}
