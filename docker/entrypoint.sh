#!/bin/sh
# Starts ringserve as TF Serving's image starts tensorflow_model_server: the model is $MODEL_BASE_PATH/$MODEL_NAME,
# gRPC on 8500, REST on 8501; ringserve adds /metrics on 8502. Flags given to the container come last and win.
set -eu
exec java -cp "/opt/ringserve/ringserve-server.jar:/opt/ringserve/lib/*" io.ringserve.server.Main \
  --port="${GRPC_PORT:-8500}" \
  --rest_api_port="${REST_PORT:-8501}" \
  --metrics_port="${METRICS_PORT:-8502}" \
  --model_name="${MODEL_NAME}" \
  --model_base_path="${MODEL_BASE_PATH}/${MODEL_NAME}" \
  "$@"
