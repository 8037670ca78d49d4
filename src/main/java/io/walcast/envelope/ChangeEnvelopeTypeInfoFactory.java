package io.walcast.envelope;

import java.lang.reflect.Type;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInfoFactory;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** Picked up through {@code @TypeInfo} on {@link ChangeEnvelope}, so no call site can forget it. */
public final class ChangeEnvelopeTypeInfoFactory extends TypeInfoFactory<ChangeEnvelope> {
    @Override
    public TypeInformation<ChangeEnvelope> createTypeInfo(
            Type t, Map<String, TypeInformation<?>> genericParameters) {
        return ChangeEnvelopeTypeInfo.INSTANCE;
    }
}
