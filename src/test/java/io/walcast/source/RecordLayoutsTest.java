package io.walcast.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecordLayoutsTest {
    /**
     * What Debezium 1.9's pgoutput decoder makes of a name: each byte, sign-extended, as a char.
     */
    private static String byteWise(String name) {
        StringBuilder s = new StringBuilder();
        for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
            s.append((char) b);
        }
        return s.toString();
    }

    @Test
    void streamedNonAsciiColumnNamesAreRestored() {
        for (String name : new String[] {"prix_€", "タイトル", "著者", "ümlaut", "emoji_🐈"}) {
            assertThat(byteWise(name)).isNotEqualTo(name);
            assertThat(RecordLayouts.undoByteWiseDecoding(byteWise(name))).isEqualTo(name);
        }
    }

    @Test
    void namesThatWereNotDecodedByteWiseStayAsTheyAre() {
        for (String name : new String[] {"plain_name", "Bücher", "ｶﾀｶﾅ", "书"}) {
            assertThat(RecordLayouts.undoByteWiseDecoding(name)).isEqualTo(name);
        }
    }
}
