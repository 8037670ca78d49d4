package io.walcast.ops;

/** One thing preflight found wrong: what it concerns, what is wrong, and what to do about it. */
public record Finding(String subject, String problem, String fix) {
    @Override
    public String toString() {
        return subject + ": " + problem + "\n    fix: " + fix;
    }
}
