"""Measures a generator: FID, KID, inception score and class coverage; for text, n-grams.

    python scripts/evaluate.py --path=saved_models/mnist --data_dir=../shared/data/mnist
    python scripts/evaluate.py --path=runs/mnist_mlp      # a run's last checkpoint

draws `--num` images (the same ones for the same `--seed`), compares them with
the data set's test split in the features of the shipped reference classifier
(`scripts/train_classifier.py`), prints a table and writes `--out` as JSON.
With `--reference`, the same metrics for `--num` real training images give the
floor a perfect generator would reach. A run folder that keeps a generator
average (`--generator_ema`) is measured twice, side by side: the average and
the trained generator.

    python scripts/evaluate.py --path=runs/celeba --inception_weights=imagenet

measures in ImageNet InceptionV3 features instead (the network papers use, but
Keras's weights, so the figures are not interchangeable with theirs; see
`wgan_gp_tf/evaluation/inception.py`), for any data set, including image folders that have
no reference classifier.

    python scripts/evaluate.py --path=saved_models/fortunes --data_dir=/usr/share/games/fortunes

measures `--num` generated lines as training does (`--eval_every`): the JS
divergence of their 1- to 4-gram frequencies from the corpus's, and the share
of their words that the corpus holds; `--reference` measures `--num` of the
corpus's own lines, drawn at random.
"""

import json

import _cli
import numpy as np
from absl import flags

import wgan_gp_tf
from wgan_gp_tf.training.config import TrainConfig

FLAGS = flags.FLAGS
flags.DEFINE_string("path", None, "An export folder or a run folder.")
flags.DEFINE_integer("num", 10_000, "Images (or lines) to generate.", lower_bound=2)
flags.DEFINE_integer("seed", 0, "Seeds the generated images.")
flags.DEFINE_string("data_dir", None, "The data set's IDX folder; default: the run's, or tfds.")
flags.DEFINE_string("classifier", None, "Reference classifier; default: the shipped one.")
flags.DEFINE_string("inception_weights", None,
                    "Measure in InceptionV3 features: 'imagenet' (Keras's download, cached in "
                    "~/.keras/models) or the path of its weights file.")
flags.DEFINE_string("feature_cache_dir", TrainConfig.feature_cache_dir,
                    "Keep the real images' features here, as train.py does; empty: compute "
                    "them.")
flags.DEFINE_bool("reference", False, "Also measure real training images.")
flags.DEFINE_string("out", None, "JSON file to write the results to; default: none (the "
                                  "table is printed).")
flags.mark_flag_as_required("path")

_ROWS = ("fid", "kid", "inception_score", "classes_covered", "coverage_kl",
         "conditional_accuracy", "mean_class_fid")


def main(argv):
    del argv
    images, source = wgan_gp_tf.training.samples_from(FLAGS.path, FLAGS.num, FLAGS.seed)
    data_dir = FLAGS.data_dir or source["data_dir"]
    dataset = wgan_gp_tf.data.get(source["dataset"]).reading(data_dir)
    if dataset.makes == "text":
        return _evaluate_text(images, source, dataset, data_dir)
    if images.ndim == 4:
        # An image folder trains at any size: the generator's.
        dataset = dataset.sized(images.shape[1], images.shape[3])
    evaluator = wgan_gp_tf.evaluation.evaluator_for(
        dataset, classifier_path=FLAGS.classifier, inception_weights=FLAGS.inception_weights,
        cache_dir=FLAGS.feature_cache_dir)
    # A conditional generator draws each class in turn (`samples_from`).
    labels = (wgan_gp_tf.core.classes.balanced_labels(FLAGS.num, source["num_classes"]).numpy()
              if source["num_classes"] else None)
    results = {**source, "data_dir": data_dir, "seed": FLAGS.seed,
               "classifier": evaluator.classifier.path,
               "classifier_info": evaluator.classifier.info,
               "generated": evaluator(images, labels)}
    if source.get("generator_average"):
        trained, _ = wgan_gp_tf.training.samples_from(FLAGS.path, FLAGS.num, FLAGS.seed,
                                                      trained_generator=True)
        results["trained_generator"] = evaluator(trained, labels)
    if FLAGS.reference:
        real, real_labels = dataset.load("train")
        # Labelled as a conditional generator's draws are, for its rows.
        results["real_training_images"] = evaluator(
            real[:FLAGS.num], None if labels is None else real_labels[:FLAGS.num])
    _write(results)
    _print_table(results, _ROWS, "real_training_images",
                 f"{source['source']} ({source['iterations']} iterations), {FLAGS.num} images "
                 f"against {source['dataset']} in the features of {evaluator.classifier.path}")
    if labels is not None and "class_accuracy" in results["generated"]:
        generated = results["generated"]
        print("per class (generated): accuracy, FID")
        for label, (accuracy, fid) in enumerate(zip(generated["class_accuracy"],
                                                    generated["class_fid"], strict=True)):
            print(f"  {label:2d}  {accuracy:6.3f}  {fid:8.2f}")
    if FLAGS.out:
        print(f"wrote {FLAGS.out}")


def _evaluate_text(samples, source, dataset, data_dir):
    """The n-gram JS divergences and real-word share of generated lines, against the corpus."""
    if isinstance(samples, list):
        # An export's lines, its padding dropped: padded again at their ends,
        # where the corpus's lines have theirs.
        seq_len = wgan_gp_tf.serving.read_metadata(source["source"])["seq_len"]
        indices = dataset.vocabulary.encode(samples, seq_len)
    else:
        indices = samples.argmax(axis=-1)
    dataset = dataset.sized(seq_len=indices.shape[1])
    evaluator = wgan_gp_tf.evaluation.evaluator_for(dataset)
    results = {**source, "data_dir": data_dir, "seed": FLAGS.seed,
               "generated": evaluator(indices)}
    if source.get("generator_average"):
        trained, _ = wgan_gp_tf.training.samples_from(FLAGS.path, FLAGS.num, FLAGS.seed,
                                                      trained_generator=True)
        results["trained_generator"] = evaluator(trained)
    if FLAGS.reference:
        lines = dataset.encoded()
        drawn = np.random.default_rng(FLAGS.seed).permutation(len(lines))[:FLAGS.num]
        results["real_lines"] = evaluator(lines[np.sort(drawn)])
    _write(results)
    _print_table(results, ("js_1", "js_2", "js_3", "js_4", "real_words"), "real_lines",
                 f"{source['source']} ({source['iterations']} iterations), {FLAGS.num} lines "
                 f"against the corpus in {data_dir}")
    print("\n".join(dataset.vocabulary.decode(indices[:8])))
    if FLAGS.out:
        print(f"wrote {FLAGS.out}")


def _print_table(results, rows, real_column, heading):
    """`heading`, then a column per measured set and a line per metric the generated have."""
    columns = [name for name in ("generated", "trained_generator", real_column)
               if name in results]
    print(heading)
    print(f"{'':22s}" + "".join(f"{name:>22s}" for name in columns))
    for row in (row for row in rows if row in results["generated"]):
        print(f"{row:22s}" + "".join(f"{results[name][row]:22.4f}" for name in columns))


def _write(results):
    if FLAGS.out:
        with open(FLAGS.out, "w", encoding="utf-8") as file:
            json.dump(results, file, indent=2)
            file.write("\n")


if __name__ == "__main__":
    _cli.run(main)
