package io.walcast.sink.kinesis;

import java.util.Set;

/**
 * Which Kinesis errors are worth retrying. Throttling, internal failures and unreachable endpoints
 * pass; a missing stream, bad credentials or a disabled KMS key do not, and retrying them forever
 * would hide the problem.
 */
final class KinesisErrors {
    private static final Set<String> FATAL =
            Set.of(
                    "ResourceNotFoundException",
                    "InvalidArgumentException",
                    "AccessDeniedException",
                    "ValidationException",
                    "UnrecognizedClientException",
                    "InvalidSignatureException",
                    "IncompleteSignatureException",
                    "MissingAuthenticationTokenException",
                    "KMSDisabledException",
                    "KMSInvalidStateException",
                    "KMSAccessDeniedException",
                    "KMSNotFoundException",
                    "KMSOptInRequired");

    /** Per-record and per-request codes that say the stream or its key is over its limits. */
    private static final Set<String> THROTTLING =
            Set.of(
                    "ProvisionedThroughputExceededException",
                    "LimitExceededException",
                    "ThrottlingException",
                    "KMSThrottlingException");

    private KinesisErrors() {}

    /** Whether an error code means "slow down" rather than "something broke". */
    static boolean throttling(String errorCode) {
        return errorCode != null && THROTTLING.contains(errorCode);
    }

    /** Whether an error code (per record or for a whole request) may succeed when retried. */
    static boolean retryable(String errorCode) {
        return errorCode == null || !FATAL.contains(errorCode);
    }

    /** What the operator should do about a fatal error code. */
    static String advice(String errorCode) {
        return switch (errorCode) {
            case "ResourceNotFoundException" -> "create the stream or fix sinks.kinesis.stream";
            case "AccessDeniedException",
                            "UnrecognizedClientException",
                            "InvalidSignatureException",
                            "IncompleteSignatureException",
                            "MissingAuthenticationTokenException" ->
                    "check the AWS credentials (provider chain or sinks.kinesis.access-key-id)"
                            + " and that they allow kinesis:PutRecords on the stream";
            default ->
                    errorCode.startsWith("KMS")
                            ? "fix the stream's KMS key or the permission to use it"
                            : "check sinks.kinesis settings";
        };
    }
}
