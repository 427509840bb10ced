"""The consumer side of an export: find a version, sample it, or ask TF Serving.

Nothing here builds or trains a model: `scripts/sample.py` and
`scripts/serving_client.py` need only TensorFlow (to load a SavedModel), NumPy
and the standard library. gRPC needs the optional `tensorflow-serving-api`.
"""

import json
import os
import re
import urllib.error
import urllib.request

import numpy as np

from wgan_gp_tf.errors import ConfigError, ExportNotFoundError, ServingError

# TF Serving's folder for files that travel with a SavedModel but are not
# part of its graph.
METADATA_FILE = os.path.join("assets.extra", "model.json")

_VERSION_PATTERN = re.compile(r"^[0-9]+$")

# Which input each signature takes, as TF Serving names them.
SIGNATURE_INPUTS = {"serving_default": "z", "sample": "seed"}

# Seeds per call when sampling an export in this process.
_SAMPLE_CHUNK = 1000


def existing_versions(export_dir):
    """The integer version folders in `export_dir`, ascending."""
    if not os.path.isdir(export_dir):
        return []
    return sorted(int(name) for name in os.listdir(export_dir)
                  if _VERSION_PATTERN.match(name)
                  and os.path.isdir(os.path.join(export_dir, name)))


def resolve_version(path):
    """The version folder that `path` names: itself, or the newest inside it.

    Args:
        path: a version folder (holding `saved_model.pb`) or a base folder of
            integer versions, as TF Serving's `model_base_path`.

    Returns:
        The version folder.

    Raises:
        ExportNotFoundError: `path` holds no SavedModel and no version.
    """
    if os.path.isfile(os.path.join(path, "saved_model.pb")):
        return path
    versions = existing_versions(path)
    if not versions:
        raise ExportNotFoundError(
            f"no SavedModel in {path!r}: expected saved_model.pb or integer "
            "version folders; export one with scripts/export.py or train.py")
    return os.path.join(path, str(versions[-1]))


def read_metadata(version_path):
    """The `model.json` of an export version, as a dict.

    Raises:
        ExportNotFoundError: the folder has no `model.json`: it holds no
            generator exported by this project.
    """
    path = os.path.join(version_path, METADATA_FILE)
    if not os.path.isfile(path):
        raise ExportNotFoundError(
            f"{version_path} has no {METADATA_FILE}, so it is not a generator exported by "
            f"this project; point at the export folder of a run (scripts/train.py or "
            f"scripts/export.py)")
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def sample_export(path, seeds, labels=None):
    """Images from an export's `sample` signature, loaded in this process.

    Args:
        path: a version folder or a base folder of versions (newest is used).
        seeds: int64 seeds, one image each.
        labels: for a class-conditional generator, the class of each image
            (one int, or one per seed); by default each class in turn.

    Returns:
        `(version_path, images)`, images float32 `[len(seeds), H, W, C]` in [0, 1],
        or for a text generator `(version_path, lines)`, a list of strings.

    Raises:
        ExportNotFoundError: the folder holds no generator of this project.
        ConfigError: labels for an unconditional generator.
    """
    import tensorflow as tf  # Only here: the REST client needs no TensorFlow.

    from wgan_gp_tf.core import classes

    version_path = resolve_version(path)
    signatures = tf.saved_model.load(version_path).signatures
    if "sample" not in signatures:
        raise ExportNotFoundError(
            f"{version_path} is a SavedModel without a 'sample' signature (it has: "
            f"{', '.join(signatures) or 'none'}), not a generator exported by this project; "
            f"point at the export folder of a run (scripts/train.py or scripts/export.py)")
    seeds = np.asarray(seeds, np.int64)
    metadata = read_metadata(version_path)
    num_classes = metadata.get("num_classes", 0)
    output = "text" if "symbols" in metadata else "images"
    inputs = {"seed": seeds}
    if num_classes:
        if labels is None:
            labels = classes.balanced_labels(len(seeds), num_classes).numpy()
        inputs["label"] = np.broadcast_to(np.asarray(labels, np.int64), seeds.shape)
    elif labels is not None:
        raise ConfigError(f"{version_path} is an unconditional generator: it takes no label")
    # In chunks, so that a large draw holds its images once, not its
    # intermediate activations too.
    chunks = [signatures["sample"](**{name: tf.constant(values[start:start + _SAMPLE_CHUNK])
                                      for name, values in inputs.items()})[output].numpy()
              for start in range(0, max(len(seeds), 1), _SAMPLE_CHUNK)]
    samples = np.concatenate(chunks)
    if output == "text":
        return version_path, [line.decode("utf-8") for line in samples]
    return version_path, samples


def rest_request(signature, values, request_format="row", labels=None):
    """The JSON body of a TF Serving REST `:predict` request.

    Args:
        signature: `serving_default` (values are noise rows) or `sample`
            (values are integer seeds).
        values: array-like input.
        request_format: `row` ("instances") or `columnar` ("inputs").
        labels: for a class-conditional generator, one class per row.

    Returns:
        A dict ready for `json.dumps`.
    """
    name = SIGNATURE_INPUTS[signature]
    values = np.asarray(values).tolist()
    if labels is not None:
        labels = np.broadcast_to(np.asarray(labels, np.int64), (len(values),)).tolist()
    if request_format == "row":
        body = {"instances": values if labels is None else
                [{name: value, "label": label} for value, label in zip(values, labels,
                                                                       strict=True)]}
    elif request_format == "columnar":
        body = {"inputs": {name: values, **({} if labels is None else {"label": labels})}}
    else:
        raise ValueError(f"unknown REST format {request_format!r}; use row or columnar")
    return {"signature_name": signature, **body}


def parse_rest_response(body, output="images"):
    """The output array of a TF Serving REST `:predict` response.

    TF Serving answers `{"predictions": ...}` to a row request and
    `{"outputs": ...}` to a columnar one; with a single output it leaves the
    output's name out, with several it keys them by name.

    Args:
        body: the decoded JSON response.
        output: the output name to take when several are returned.

    Returns:
        float32 array, or a list of strings from a text generator.

    Raises:
        ServingError: the response is an error or holds no such output.
    """
    if "error" in body:
        raise ServingError(f"the model server refused the request: {body['error']}")
    key = "predictions" if "predictions" in body else "outputs"
    if key not in body:
        raise ServingError(f"not a TF Serving predict response: keys {sorted(body)}")
    result = body[key]
    if isinstance(result, dict):
        result = result.get(output)
    elif result and isinstance(result[0], dict):
        result = [row.get(output) for row in result]
    if result is None or (isinstance(result, list) and None in result):
        raise ServingError(f"the response has no output {output!r}")
    if result and isinstance(result[0], str):
        return list(result)
    return np.asarray(result, np.float32)


def rest_predict(server, model, signature, values, request_format="row",
                 version=None, timeout=30.0, labels=None):
    """Asks a TF Serving REST endpoint for images (or a text generator's lines).

    Args:
        server: base URL, e.g. `http://localhost:8501`.
        model: the model name TF Serving was started with.
        signature: `serving_default` or `sample`.
        values: noise rows or seeds.
        request_format: `row` or `columnar`.
        version: a model version, or `None` for the newest.
        timeout: seconds.
        labels: for a class-conditional generator, one class (or one per
            row).

    Returns:
        float32 images `[N, H, W, C]`, or a list of strings from a text
        generator.

    Raises:
        ServingError: the server refused the request or could not be reached.
    """
    path = f"/v1/models/{model}" + (f"/versions/{version}" if version else "")
    url = server.rstrip("/") + path + ":predict"
    request = urllib.request.Request(
        url, data=json.dumps(rest_request(signature, values, request_format, labels)).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = json.load(response)
    except urllib.error.HTTPError as error:
        try:
            body = json.load(error)
        except ValueError:
            raise ServingError(f"{url} answered HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise ServingError(f"cannot reach the model server at {url}: {reason}; "
                           "is TF Serving running with the REST port open?") from None
    return parse_rest_response(body)


def grpc_predict(target, model, signature, values, version=None, timeout=30.0, labels=None):
    """Asks a TF Serving gRPC endpoint for images or text (`PredictionService.Predict`).

    Args:
        target: `host:port`, e.g. `localhost:8500`.
        model, signature, values, version, timeout, labels: as for
            `rest_predict`.

    Returns:
        float32 images `[N, H, W, C]`, or a list of strings from a text
        generator.

    Raises:
        ServingError: `tensorflow-serving-api` is missing, or the call failed.
    """
    try:
        import grpc
        import tensorflow as tf
        from tensorflow_serving.apis import predict_pb2, prediction_service_pb2_grpc
    except ImportError:
        raise ServingError("gRPC needs the optional package tensorflow-serving-api: "
                           "pip install tensorflow-serving-api") from None
    request = predict_pb2.PredictRequest()
    request.model_spec.name = model
    request.model_spec.signature_name = signature
    if version:
        request.model_spec.version.value = int(version)
    dtype = np.float32 if signature == "serving_default" else np.int64
    values = np.asarray(values, dtype)
    request.inputs[SIGNATURE_INPUTS[signature]].CopyFrom(tf.make_tensor_proto(values))
    if labels is not None:
        request.inputs["label"].CopyFrom(tf.make_tensor_proto(
            np.broadcast_to(np.asarray(labels, np.int64), (len(values),)).copy()))
    with grpc.insecure_channel(target) as channel:
        stub = prediction_service_pb2_grpc.PredictionServiceStub(channel)
        try:
            response = stub.Predict(request, timeout=timeout)
        except grpc.RpcError as error:
            raise ServingError(f"gRPC Predict to {target} failed: {error.code().name}: "
                               f"{error.details()}") from None
    if "text" in response.outputs:
        return [line.decode("utf-8") for line in tf.make_ndarray(response.outputs["text"])]
    return tf.make_ndarray(response.outputs["images"]).astype(np.float32)
