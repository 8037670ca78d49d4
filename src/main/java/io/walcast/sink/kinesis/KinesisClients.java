package io.walcast.sink.kinesis;

import io.walcast.config.KinesisSinkConfig;
import java.net.URI;
import java.time.Duration;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.core.retry.RetryPolicy;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.http.Protocol;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.regions.Region;
import org.apache.flink.kinesis.shaded.software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Builds the Kinesis client of a sink: the standard AWS provider chain (environment, system
 * properties, web identity, profile, container, instance) unless static keys are configured;
 * HTTP/1.1 (emulators and VPC endpoints speak it); no SDK retries, because the writer retries per
 * record and must decide the order itself.
 */
public final class KinesisClients {
    private KinesisClients() {}

    public static KinesisAsyncClient create(KinesisSinkConfig c) {
        var builder =
                KinesisAsyncClient.builder()
                        .region(Region.of(c.region()))
                        .credentialsProvider(credentials(c))
                        .httpClient(
                                NettyNioAsyncHttpClient.builder()
                                        .protocol(Protocol.HTTP1_1)
                                        .maxConcurrency(Math.max(4, c.maxInFlightRequests() * 2))
                                        .connectionTimeout(Duration.ofSeconds(10))
                                        .readTimeout(Duration.ofSeconds(60))
                                        .build())
                        .overrideConfiguration(
                                ClientOverrideConfiguration.builder()
                                        .retryPolicy(RetryPolicy.none())
                                        .apiCallTimeout(Duration.ofSeconds(120))
                                        .build());
        if (c.endpoint() != null && !c.endpoint().isBlank()) {
            builder.endpointOverride(URI.create(c.endpoint()));
        }
        return builder.build();
    }

    static AwsCredentialsProvider credentials(KinesisSinkConfig c) {
        if (c.staticCredentials()) {
            return StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(
                            c.accessKeyId().value(), c.secretAccessKey().value()));
        }
        return DefaultCredentialsProvider.create();
    }
}
