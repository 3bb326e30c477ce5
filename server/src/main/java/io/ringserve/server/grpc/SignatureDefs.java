package io.ringserve.server.grpc;

import io.ringserve.models.LoadedModel;
import io.ringserve.models.SignatureSpec;
import io.ringserve.models.TensorSpec;
import io.ringserve.proto.serving.SignatureDefMap;
import io.ringserve.proto.tensorflow.SignatureDef;
import io.ringserve.proto.tensorflow.TensorInfo;
import io.ringserve.proto.tensorflow.TensorShapeProto;
import java.util.Map;

/** A model's signatures as TF's {@code SignatureDef} messages, for GetModelMetadata. Stateless. */
final class SignatureDefs {
    private SignatureDefs() {
    }

    static SignatureDefMap of(final LoadedModel model) {
        final SignatureDefMap.Builder map = SignatureDefMap.newBuilder();
        for (SignatureSpec signature : model.signatures()) {
            final SignatureDef.Builder def = SignatureDef.newBuilder().setMethodName(signature.methodName());
            tensorInfos(signature.inputs()).forEach(def::putInputs);
            tensorInfos(signature.outputs()).forEach(def::putOutputs);
            map.putSignatureDef(signature.key(), def.build());
        }
        return map.build();
    }

    private static Map<String, TensorInfo> tensorInfos(final Map<String, TensorSpec> specs) {
        final Map<String, TensorInfo> infos = new java.util.LinkedHashMap<>();
        specs.forEach((alias, spec) -> {
            final TensorInfo.Builder info = TensorInfo.newBuilder().setDtypeValue(spec.dtypeNumber());
            if (!spec.tensorName().isEmpty()) {
                info.setName(spec.tensorName());
            }
            spec.shape().ifPresent(shape -> {
                final TensorShapeProto.Builder proto = TensorShapeProto.newBuilder()
                        .setUnknownRank(shape.unknownRank());
                for (int i = 0; i < shape.dims().size(); i++) {
                    proto.addDim(TensorShapeProto.Dim.newBuilder().setSize(shape.dims().get(i))
                            .setName(shape.dimNames().get(i)));
                }
                info.setTensorShape(proto);
            });
            infos.put(alias, info.build());
        });
        return infos;
    }
}
