"""Pictures of the toy problems, where the right answer can be drawn.

1-D: the learned map G(x) against the exact maps Phi^-1(x) and Phi^-1(1 - x),
and the histogram of samples against the N(0, 1) density. 2-D: the critic's
value as filled contours over the plane, real points and generated points on top.
Written with matplotlib's object API (no pyplot state), atomically.
"""

import os

import numpy as np
import tensorflow as tf
from matplotlib.figure import Figure

from wgan_gp_tf import toys


def _save(figure, path):
    temporary = f"{path}.partial"
    figure.savefig(temporary, format="png", dpi=80)
    os.replace(temporary, path)


def toy_1d_figure(generator, iteration, samples=10_000, seed=0):
    """The learned map and the sample histogram of a `toy_1d` generator."""
    figure = Figure(figsize=(9, 3.6), layout="constrained")
    map_axes, histogram_axes = figure.subplots(1, 2)
    x = np.linspace(0.001, 0.999, 500, dtype=np.float32)
    exact = toys.inverse_normal_cdf(x)
    map_axes.plot(x, exact, "k--", lw=1, label="Φ⁻¹(x)")
    map_axes.plot(x, -exact, "k:", lw=1, label="Φ⁻¹(1 - x)")
    map_axes.plot(x, np.asarray(generator(x[:, None]))[:, 0], "C0", lw=2, label="G(x)")
    map_axes.set(xlabel="noise x ~ U[0, 1]", ylabel="G(x)", ylim=(-3.5, 3.5),
                 title=f"learned map, iteration {iteration}")
    map_axes.legend(loc="upper left", fontsize=8)
    points = np.asarray(generator(generator.sample_latent(samples, seed)))[:, 0]
    grid = np.linspace(-4, 4, 400)
    histogram_axes.hist(points, bins=80, range=(-4, 4), density=True, color="C0", alpha=0.6,
                        label="G(x) samples")
    histogram_axes.plot(grid, np.exp(-grid**2 / 2) / np.sqrt(2 * np.pi), "k", lw=1,
                        label="N(0, 1)")
    histogram_axes.set(xlabel="value", title="samples against the target density")
    histogram_axes.legend(loc="upper left", fontsize=8)
    return figure


def toy_2d_figure(critic, generator, dataset, iteration, samples=1000, seed=0, extent=2.2):
    """The critic's contours with real and generated points of a 2-D toy."""
    figure = Figure(figsize=(5, 5), layout="constrained")
    axes = figure.subplots()
    axis = np.linspace(-extent, extent, 121, dtype=np.float32)
    grid = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
    scores = np.asarray(critic(grid))[:, 0].reshape(len(axis), len(axis))
    contours = axes.contourf(axis, axis, scores, levels=20, cmap="viridis")
    figure.colorbar(contours, ax=axes, shrink=0.8, label="critic D(x)")
    real = toys.sample(dataset, samples, tf.constant([seed, -2], tf.int64)).numpy()
    fake = np.asarray(generator(generator.sample_latent(samples, seed)))
    axes.scatter(real[:, 0], real[:, 1], s=3, c="orange", label="real")
    axes.scatter(fake[:, 0], fake[:, 1], s=3, c="lime", label="generated")
    axes.set(xlim=(-extent, extent), ylim=(-extent, extent), aspect="equal",
             title=f"{dataset}, iteration {iteration}")
    axes.legend(loc="upper right", fontsize=8, markerscale=3)
    return figure


def save_toy_figure(critic, generator, dataset, iteration, path, seed=0):
    """Draws the picture that suits `dataset` and writes it as a PNG at `path`."""
    if toys.DIMENSIONS[dataset] == 1:
        figure = toy_1d_figure(generator, iteration, seed=seed)
    else:
        figure = toy_2d_figure(critic, generator, dataset, iteration, seed=seed)
    _save(figure, path)
