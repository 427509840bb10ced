"""Asks a running TF Serving for images and writes them as a PNG grid.

    # REST (port 8501), the `sample` signature, row format:
    python scripts/serving_client.py --model=mnist --num=16 --out=served.png
    # the `serving_default` signature with noise drawn here, columnar format:
    python scripts/serving_client.py --signature=serving_default --format=columnar
    # gRPC (port 8500; needs `pip install tensorflow-serving-api`):
    python scripts/serving_client.py --protocol=grpc --server=localhost:8500

For `sample` the request holds the seeds `--seed ... --seed + num - 1`; for
`serving_default` it holds noise drawn from `--prior` with `--latent_dim`
columns (those of the exported model: see its assets.extra/model.json).
"""

import _cli
import numpy as np
from absl import flags

import wgan_gp_tf
from wgan_gp_tf import images

FLAGS = flags.FLAGS
flags.DEFINE_enum("protocol", "rest", ["rest", "grpc"], "How to talk to TF Serving.")
flags.DEFINE_string("server", None,
                    "REST base URL or gRPC host:port; default "
                    "http://localhost:8501 for REST, localhost:8500 for gRPC.")
flags.DEFINE_string("model", "mnist", "Model name TF Serving was started with.")
flags.DEFINE_integer("version", None, "Model version; default: the newest.", lower_bound=1)
flags.DEFINE_enum("signature", "sample", ["sample", "serving_default"], "Signature to call.")
flags.DEFINE_enum("format", "row", ["row", "columnar"], "REST request format.")
flags.DEFINE_integer("num", 64, "Images to ask for.", lower_bound=1)
flags.DEFINE_integer("seed", 0, "First seed (sample) or the noise seed (serving_default).")
flags.DEFINE_integer("latent_dim", 10, "Noise width for serving_default.", lower_bound=1)
flags.DEFINE_enum("prior", "uniform", ["uniform", "normal"],
                  "Noise prior for serving_default: U(-1, 1) or N(0, 1).")
flags.DEFINE_integer("label", None, "Class of every image, for a class-conditional "
                     "generator (its signatures then take a label).", lower_bound=0)
flags.DEFINE_float("timeout", 30.0, "Seconds to wait for the server.")
flags.DEFINE_string("out", "served.png", "PNG file to write (a text generator's lines are "
                    "printed, and written here if given).")


def _inputs():
    if FLAGS.signature == "sample":
        return np.arange(FLAGS.seed, FLAGS.seed + FLAGS.num, dtype=np.int64)
    rng = np.random.default_rng(FLAGS.seed)
    shape = (FLAGS.num, FLAGS.latent_dim)
    if FLAGS.prior == "uniform":
        return rng.uniform(-1.0, 1.0, shape).astype(np.float32)
    return rng.standard_normal(shape, np.float32)


def main(argv):
    del argv
    if FLAGS.protocol == "rest":
        server = FLAGS.server or "http://localhost:8501"
        result = wgan_gp_tf.serving.rest_predict(server, FLAGS.model, FLAGS.signature, _inputs(),
                                                 FLAGS.format, FLAGS.version, FLAGS.timeout,
                                                 FLAGS.label)
    else:
        server = FLAGS.server or "localhost:8500"
        result = wgan_gp_tf.serving.grpc_predict(server, FLAGS.model, FLAGS.signature, _inputs(),
                                                 FLAGS.version, FLAGS.timeout, FLAGS.label)
    if isinstance(result, list):
        print("\n".join(result))
        if FLAGS["out"].present:
            with open(FLAGS.out, "w", encoding="utf-8") as file:
                file.writelines(line + "\n" for line in result)
        return
    images.write_png(images.image_grid(result), FLAGS.out)
    print(f"wrote {len(result)} images of shape {list(result.shape[1:])} "
          f"from {server} to {FLAGS.out}")


if __name__ == "__main__":
    _cli.run(main)
