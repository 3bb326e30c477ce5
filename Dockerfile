# ringserve container image.
#   CPU (default):  docker build -t ringserve:0.1.0-cpu .
#   GPU:            docker build --build-arg VARIANT=gpu -t ringserve:0.1.0-gpu .
# Runs like TF Serving's image: MODEL_NAME / MODEL_BASE_PATH, gRPC 8500, REST 8501, plus /metrics on 8502.
ARG VARIANT=cpu

# ---- build: the server and its runtime classpath, with TensorFlow's natives unpacked once ----
FROM maven:3.9-eclipse-temurin-17 AS build
ARG VARIANT
WORKDIR /src
COPY pom.xml ./
COPY proto/pom.xml proto/
COPY batching/pom.xml batching/
COPY models/pom.xml models/
COPY server/pom.xml server/
COPY loadtest/pom.xml loadtest/
COPY proto/src proto/src
COPY batching/src batching/src
COPY models/src models/src
COPY server/src server/src
COPY loadtest/src loadtest/src
RUN if [ "$VARIANT" = "gpu" ]; then profile="-Pgpu"; else profile=""; fi \
    && mvn -B -q -DskipTests $profile package -pl server -am
# Unpack the platform natives (libtensorflow_cc, libtensorflow_framework, libjnitensorflow) and drop their jar:
# JavaCPP then loads them from java.library.path instead of extracting ~700 MB (CPU) or 1.25 GB (GPU) per start.
RUN mkdir -p /opt/tensorflow/lib /tmp/natives \
    && cd /tmp/natives \
    && jar xf /src/server/target/lib/tensorflow-core-native-*-linux-x86_64*.jar \
    && find . -name '*.so*' -exec mv {} /opt/tensorflow/lib/ \; \
    && rm /src/server/target/lib/tensorflow-core-native-*-linux-x86_64*.jar

# ---- runtime bases ----
FROM eclipse-temurin:21-jre-noble AS runtime-cpu

# TF 2.18 needs CUDA 12 and cuDNN >= 9.3 < 10 at run time; 12.6.3's image ships cuDNN 9.5.
FROM nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04 AS runtime-gpu
COPY --from=eclipse-temurin:21-jre-noble /opt/java/openjdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/java/openjdk/bin:$PATH \
    TF_FORCE_GPU_ALLOW_GROWTH=true

# ---- the image ----
# hadolint ignore=DL3006
FROM runtime-${VARIANT}
RUN useradd --uid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ringserve
# The natives first: they change rarely, so app rebuilds do not push them again.
COPY --from=build /opt/tensorflow/lib /opt/tensorflow/lib
COPY --from=build /src/server/target/lib /opt/ringserve/lib
COPY --from=build /src/server/target/ringserve-server-0.1.0-SNAPSHOT.jar /opt/ringserve/ringserve-server.jar
COPY docker/entrypoint.sh /opt/ringserve/entrypoint.sh
# TF tensors, model weights and oneDNN scratch live off-heap: leave half the memory limit to them.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=50 -XX:MaxDirectMemorySize=512m -XX:+ExitOnOutOfMemoryError -Djava.library.path=/opt/tensorflow/lib -Djava.io.tmpdir=/tmp" \
    TF_CPP_MIN_LOG_LEVEL=1 \
    MODEL_NAME=model \
    MODEL_BASE_PATH=/models
EXPOSE 8500 8501 8502
USER 10001:10001
ENTRYPOINT ["/opt/ringserve/entrypoint.sh"]
