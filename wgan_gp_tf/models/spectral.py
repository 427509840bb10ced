"""Spectral normalisation of a critic's layers, as the original repository computes it.

keras/wgan_sn_celeba.py (and rsgan_sn_celeba.py, dcgan_sn_celeba.py) divide
every kernel of the critic by its largest singular value, and batch norm's
scale by its own, at every call: the kernel `[..., out]` is read as a matrix
`[prod(...), out]`, and the singular value is estimated by 5 power iterations
that start from a vector of ones (Su's post kexue.fm/archives/6051 changes
Keras 2 so that a constraint reparametrises the weight in the forward pass
rather than projecting it after each update). The layers here compute the
same estimate. Its gradient is taken through the final `u W v^T` with the
unit vectors u and v held fixed, as Miyato et al. 2018 do, rather than back
through the 5 iterations as the original's graph does; the two agree once the
iterations converge. Differentiating the iterations tripled the size of
wgan_sn_celeba's train step (41,533 graph nodes against 12,923 without
normalisation; 17,403 now) and with it the minutes before the first step.

`keras.layers.SpectralNormalization` differs in three ways: one power
iteration per call from a persistent, randomly started vector, which
converges over the training steps; the normalised kernel is written back into
the layer's variable on each training call, so the optimiser updates the
normalised weights and no gradient reaches the estimate; and that
write happens in the forward pass, which the gradient penalty runs several
times per update (real, generated and interpolated batches) and which a
`tf.distribute` replica cannot do to a mirrored variable. We keep the
original's stateless estimate: nothing to checkpoint, the same on every
replica, deterministic, and for the small kernels of a critic the extra
matrix-vector products cost little against the convolutions.

For a convolution, the matrix's largest singular value is not the layer's
Lipschitz constant: an input pixel falls in up to n patches, and the constant
can exceed the value by up to sqrt(n) (5 for a 5x5 kernel at stride 1, 3 at
stride 2). Miyato et al. 2018 and the original code normalise by it all the
same, and so do we.
"""

import keras
import tensorflow as tf

# The original's power iterations per call.
POWER_ITERATIONS = 5


def spectral_norm(kernel, power_iterations=POWER_ITERATIONS):
    """Estimates the largest singular value of `kernel` read as a matrix `[-1, out]`.

    Args:
        kernel: a tensor `[..., out]`; a vector `[out]` is the matrix
            `[1, out]`, whose singular value is its Euclidean norm.
        power_iterations: iterations from a vector of ones.

    Returns:
        A scalar, `u W v^T` for the last unit vectors `u`, `v`: at most the
        true value, and equal to it once the iterations have converged.
    """
    matrix = tf.reshape(kernel, [-1, kernel.shape[-1]])
    left, right = _singular_vectors(tf.stop_gradient(matrix), power_iterations)
    return tf.reduce_sum((left @ matrix) * right)


def _singular_vectors(matrix, power_iterations):
    """The unit vectors `(left [1, rows], right [1, columns])` after the iterations."""

    def iterate(index, left, right):
        right = tf.math.l2_normalize(left @ matrix, axis=-1)
        left = tf.math.l2_normalize(tf.matmul(right, matrix, transpose_b=True), axis=-1)
        return index + 1, left, right

    # A loop rather than unrolled: a critic calls this for every kernel at every
    # call, and the unrolled iterations made its train step's graph 40% larger.
    start = (tf.constant(0), tf.ones([1, matrix.shape[0]], matrix.dtype),
             tf.zeros([1, matrix.shape[1]], matrix.dtype))
    _, left, right = tf.while_loop(lambda index, *_: index < power_iterations, iterate, start)
    return left, right


def spectral_normalize(kernel, power_iterations=POWER_ITERATIONS):
    """`kernel / spectral_norm(kernel)`."""
    return kernel / spectral_norm(kernel, power_iterations)


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class SpectralDense(keras.layers.Dense):
    """A `Dense` layer whose kernel is spectrally normalised at every call.

    Args:
        power_iterations: of the estimate (`spectral_norm`).
        **kwargs: those of `keras.layers.Dense`.
    """

    def __init__(self, *args, power_iterations=POWER_ITERATIONS, **kwargs):
        super().__init__(*args, **kwargs)
        self.power_iterations = power_iterations

    def call(self, inputs, training=None):
        x = inputs @ spectral_normalize(self.kernel, self.power_iterations)
        if self.bias is not None:
            x = x + self.bias
        return x if self.activation is None else self.activation(x)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class SpectralConv2D(keras.layers.Conv2D):
    """A channels-last `Conv2D` whose kernel is spectrally normalised at every call.

    Args:
        power_iterations: of the estimate (`spectral_norm`).
        **kwargs: those of `keras.layers.Conv2D`.
    """

    def __init__(self, *args, power_iterations=POWER_ITERATIONS, **kwargs):
        super().__init__(*args, **kwargs)
        if self.data_format != "channels_last":
            raise ValueError("SpectralConv2D takes channels_last inputs only")
        self.power_iterations = power_iterations

    def call(self, inputs):
        x = self.convolution_op(inputs, spectral_normalize(self.kernel, self.power_iterations))
        if self.use_bias:
            x = x + self.bias
        return x if self.activation is None else self.activation(x)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}


@keras.saving.register_keras_serializable(package="wgan_gp_tf")
class SpectralBatchNormalization(keras.layers.BatchNormalization):
    """Batch norm whose scale `gamma` is divided by its norm at every call.

    wgan_sn_celeba.py gives batch norm the same constraint as the kernels;
    for the vector `gamma` the largest singular value is `||gamma||`. The
    normalisation itself is Keras's (with `scale` and `center` off), followed
    by `gamma / ||gamma|| * x + beta`; the variables are those of a
    `BatchNormalization`.

    Args:
        **kwargs: those of `keras.layers.BatchNormalization`, but for `scale`
            and `center`.
    """

    def __init__(self, **kwargs):
        super().__init__(scale=False, center=False, **kwargs)

    def build(self, input_shape):
        super().build(input_shape)
        shape = (input_shape[self.axis],)
        self.spectral_gamma = self.add_weight(shape=shape, name="gamma", initializer="ones",
                                              autocast=False)
        self.spectral_beta = self.add_weight(shape=shape, name="beta", initializer="zeros",
                                             autocast=False)

    def call(self, inputs, training=None, mask=None):
        x = super().call(inputs, training=training, mask=mask)
        gamma = self.spectral_gamma / tf.norm(self.spectral_gamma)
        return x * tf.cast(gamma, x.dtype) + tf.cast(self.spectral_beta, x.dtype)

    def get_config(self):
        config = super().get_config()
        del config["scale"], config["center"]
        return config
