package io.walcast.sink.kinesis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Keeps envelopes Kinesis cannot take (over its 1 MiB record limit) as files {@code
 * <dir>/<resource>/<envelope id>.json}, written before the record counts as handled, so nothing is
 * lost, and renamed into place complete. A replay after a failure writes the same file again.
 */
final class DeadLetters {
    private final Path dir;

    DeadLetters(Path dir) {
        this.dir = dir;
    }

    Path write(String resource, String id, byte[] json) {
        Path file = dir.resolve(safe(resource)).resolve(safe(id) + ".json");
        try {
            Files.createDirectories(file.getParent());
            // Written aside, then renamed: a reader (or a crash) never sees a partial letter.
            Path partial = file.resolveSibling("." + file.getFileName() + ".partial");
            Files.write(
                    partial,
                    json,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC);
            Files.move(
                    partial,
                    file,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot write dead letter " + file + "; check sinks.kinesis.dead-letter-dir",
                    e);
        }
    }

    /** File-name safe: letters, digits, dot, dash and underscore stay; the rest become '_'. */
    static String safe(String s) {
        return s == null ? "_" : s.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
