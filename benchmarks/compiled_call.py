"""`mnist_mlp`'s compiled train function as `train.py` builds it, for the profiles."""


def preset_call(data_dir, constant_input=False, **overrides):
    """`mnist_mlp`'s trainer, input iterator and train function, as `train.py` builds them.

    Args:
        data_dir: the MNIST folder.
        constant_input: feed one batch over and over instead of the stream.
        **overrides: config fields to change.

    Returns:
        `(model, iterator, train)`: `train(iterator)` runs one compiled call.
    """
    import tensorflow as tf

    from wgan_gp_tf import training

    config = training.make_config("mnist_mlp", data_dir=data_dir, iterations=1000, **overrides)
    model = training.build_trainer(config)
    batches = config.data_source().training_data(
        batch_size=config.batch_size, skip_bad_images=False,
        cache_images=config.cache_images).batches(
            batch_size=config.batch_size, per_iteration=model.real_batches_per_iteration, seed=0,
            value_range=model.output_range)
    if constant_input:
        batches = tf.data.Dataset.from_tensors(next(iter(batches))).repeat()
    return model, iter(batches), model.make_train_function()
