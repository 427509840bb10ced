"""TF Serving's warm-up file: requests it replays once when it loads a version.

TF Serving reads `assets.extra/tf_serving_warmup_requests`, a TFRecord file of
`PredictionLog` protos, and runs each request before the version serves, so
that the first client does not wait for the graph to be optimised. The
records are encoded here in protobuf's wire format, so that the package does
not need tensorflow-serving-api; the tests read them back with its protos.
"""

import os

import numpy as np
import tensorflow as tf

WARMUP_FILE = os.path.join("assets.extra", "tf_serving_warmup_requests")

# The batch sizes each signature is warmed up with.
BATCHES = (1, 8)

# Field numbers of tensorflow_serving/apis: PredictionLog.predict_log,
# PredictLog.request, PredictRequest.model_spec and .inputs, ModelSpec.signature_name,
# and a map entry's key and value.
_PREDICT_LOG, _REQUEST, _MODEL_SPEC, _INPUTS, _SIGNATURE_NAME, _KEY, _VALUE = 6, 1, 1, 2, 3, 1, 2


def _varint(number):
    encoded = bytearray()
    while True:
        byte, number = number & 0x7F, number >> 7
        encoded.append(byte | (0x80 if number else 0))
        if not number:
            return bytes(encoded)


def _message_field(number, payload):
    """A length-delimited field: a sub-message, a string or a map entry."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def prediction_log(signature_name, inputs):
    """One `PredictionLog` record asking `signature_name` for `inputs` (name: array)."""
    request = _message_field(_MODEL_SPEC, _message_field(_SIGNATURE_NAME,
                                                         signature_name.encode()))
    for name, value in sorted(inputs.items()):
        tensor = tf.make_tensor_proto(value).SerializeToString()
        request += _message_field(_INPUTS, _message_field(_KEY, name.encode())
                                  + _message_field(_VALUE, tensor))
    return _message_field(_PREDICT_LOG, _message_field(_REQUEST, request))


def warmup_requests(latent_dim, num_classes=0):
    """`(signature, inputs)` pairs: each signature at each of `BATCHES`."""
    requests = []
    for batch in BATCHES:
        labels = {"label": np.arange(batch, dtype=np.int64) % num_classes} if num_classes else {}
        requests.append(("serving_default",
                         {"z": np.zeros([batch, latent_dim], np.float32), **labels}))
        requests.append(("sample", {"seed": np.arange(batch, dtype=np.int64), **labels}))
    return requests


def write_warmup(version_path, latent_dim, num_classes=0):
    """Writes the warm-up file into the SavedModel at `version_path`."""
    path = os.path.join(version_path, WARMUP_FILE)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with tf.io.TFRecordWriter(path) as writer:
        for signature, inputs in warmup_requests(latent_dim, num_classes):
            writer.write(prediction_log(signature, inputs))
