"""Trains the reference classifier that FID, KID and the inception score use.

`python scripts/train_classifier.py --dataset=mnist --data_dir=../shared/data/mnist`
trains a small CNN on the training split, measures it on the test split, and
writes it to `wgan_gp_tf/evaluation/classifiers/<dataset>/`, where evaluations find
it, with the test accuracy in
`assets.extra/classifier.json`.
"""

import _cli
from absl import flags

import wgan_gp_tf

FLAGS = flags.FLAGS
flags.DEFINE_string("dataset", "mnist", "Data set the classifier is for.")
flags.DEFINE_string("data_dir", None, "Folder of the data set's IDX files; default: tfds.")
flags.DEFINE_integer("epochs", 3, "Training epochs.", lower_bound=1)
flags.DEFINE_integer("seed", 0, "Seeds the weights and the batch order.")
flags.DEFINE_string("out", None, "SavedModel folder; default: the shipped location.")


def main(argv):
    del argv
    dataset = wgan_gp_tf.data.get(FLAGS.dataset).reading(FLAGS.data_dir)
    train_images, train_labels = dataset.load("train")
    test_images, test_labels = dataset.load("test")
    classifier = wgan_gp_tf.evaluation.classifier
    model, accuracy = classifier.train(train_images, train_labels, test_images, test_labels,
                                       epochs=FLAGS.epochs, seed=FLAGS.seed, verbose=2)
    path = FLAGS.out or wgan_gp_tf.evaluation.shipped_classifier(FLAGS.dataset)
    classifier.export(model, train_images.shape[1:], path, {
        "dataset": FLAGS.dataset, "test_accuracy": accuracy, "test_images": len(test_images),
        "epochs": FLAGS.epochs, "seed": FLAGS.seed, "feature_dim": 128,
        "command": f"python scripts/train_classifier.py --dataset={FLAGS.dataset} "
                   f"--epochs={FLAGS.epochs} --seed={FLAGS.seed}",
    })
    print(f"test accuracy {accuracy:.4f}; wrote {path}")


if __name__ == "__main__":
    _cli.run(main)
