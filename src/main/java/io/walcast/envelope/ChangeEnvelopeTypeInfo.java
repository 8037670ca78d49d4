package io.walcast.envelope;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Tells Flink to use {@link ChangeEnvelopeSerializer} wherever an envelope travels or is stored.
 */
public final class ChangeEnvelopeTypeInfo extends TypeInformation<ChangeEnvelope> {
    public static final ChangeEnvelopeTypeInfo INSTANCE = new ChangeEnvelopeTypeInfo();

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<ChangeEnvelope> getTypeClass() {
        return ChangeEnvelope.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<ChangeEnvelope> createSerializer(SerializerConfig config) {
        return ChangeEnvelopeSerializer.INSTANCE;
    }

    @Override
    @Deprecated
    public TypeSerializer<ChangeEnvelope> createSerializer(
            org.apache.flink.api.common.ExecutionConfig config) {
        return ChangeEnvelopeSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "ChangeEnvelope";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof ChangeEnvelopeTypeInfo;
    }

    @Override
    public int hashCode() {
        return ChangeEnvelopeTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof ChangeEnvelopeTypeInfo;
    }
}
