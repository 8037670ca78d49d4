package io.walcast.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where {@code --local} runs keep their checkpoints ({@code <state-dir>/<job>/checkpoints}) and
 * which one a restarted run resumes from: the newest completed one, i.e. the newest {@code chk-N}
 * holding a {@code _metadata} file (written last, so a crash mid-checkpoint leaves none).
 */
public final class LocalCheckpoints {
    private LocalCheckpoints() {}

    static Path directory(Path stateDir, String jobName) {
        return stateDir.toAbsolutePath().resolve(jobName).resolve("checkpoints");
    }

    /** The newest completed checkpoint; Flink may be deleting subsumed ones meanwhile. */
    public static Optional<Path> latest(Path checkpoints) {
        if (!Files.isDirectory(checkpoints)) {
            return Optional.empty();
        }
        for (int attempt = 0; ; attempt++) {
            try (Stream<Path> files = Files.find(checkpoints, 3, (p, a) -> isMetadata(p))) {
                return files.max(Comparator.comparingLong(LocalCheckpoints::modified))
                        .map(Path::getParent);
            } catch (IOException | UncheckedIOException e) {
                if (attempt == 10) {
                    throw new UncheckedIOException(
                            "cannot list checkpoints in " + checkpoints,
                            e instanceof IOException io
                                    ? io
                                    : ((UncheckedIOException) e).getCause());
                }
            }
        }
    }

    private static boolean isMetadata(Path p) {
        return p.getFileName().toString().equals("_metadata")
                && p.getParent().getFileName().toString().startsWith("chk-");
    }

    private static long modified(Path p) {
        try {
            return Files.getLastModifiedTime(p).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }
}
