package io.walcast.config;

import java.io.Serializable;

/** {@code sinks:} — any subset of the sinks, at least one; an absent sink is {@code null}. */
public record SinksConfig(
        StdoutSinkConfig stdout,
        RabbitMqSinkConfig rabbitmq,
        KinesisSinkConfig kinesis,
        PaimonSinkConfig paimon)
        implements Serializable {

    static SinksConfig read(ConfigNode n) {
        SinksConfig c =
                new SinksConfig(
                        n.has("stdout") ? StdoutSinkConfig.read(n.child("stdout")) : null,
                        n.has("rabbitmq") ? RabbitMqSinkConfig.read(n.child("rabbitmq")) : null,
                        n.has("kinesis") ? KinesisSinkConfig.read(n.child("kinesis")) : null,
                        n.has("paimon") ? PaimonSinkConfig.read(n.child("paimon")) : null);
        if (c.stdout == null && c.rabbitmq == null && c.kinesis == null && c.paimon == null) {
            n.problem(
                    "",
                    "must configure at least one sink among stdout, rabbitmq, kinesis, paimon",
                    null);
        }
        n.rejectUnknownKeys();
        return c;
    }
}
