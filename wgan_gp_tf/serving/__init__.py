"""SavedModels for TensorFlow Serving: writing a generator's, and using one.

`export_generator` writes `<export_dir>/<version>/` with the `serving_default`
(noise) and `sample` (seeds) signatures; the client side finds the newest
version, samples it in-process, or asks a running TF Serving over REST or gRPC.
Builds only on `wgan_gp_tf.core`.
"""

from wgan_gp_tf.serving.client import (
    METADATA_FILE,
    SIGNATURE_INPUTS,
    existing_versions,
    grpc_predict,
    parse_rest_response,
    read_metadata,
    resolve_version,
    rest_predict,
    rest_request,
    sample_export,
)
from wgan_gp_tf.serving.export import (
    build_archive,
    check_export_dir,
    export_generator,
    generator_metadata,
    write_json_asset,
)
from wgan_gp_tf.serving.warmup import WARMUP_FILE, prediction_log, warmup_requests

__all__ = ["METADATA_FILE", "SIGNATURE_INPUTS", "WARMUP_FILE", "build_archive",
           "check_export_dir", "existing_versions",
           "export_generator", "generator_metadata", "grpc_predict", "parse_rest_response",
           "prediction_log", "read_metadata", "resolve_version", "rest_predict", "rest_request",
           "sample_export", "warmup_requests", "write_json_asset"]
