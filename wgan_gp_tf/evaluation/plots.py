"""Pictures of samples, as uint8 arrays `[H, W, C]` ready for a PNG or TensorBoard.

Images: a grid of samples from fixed noise. Points in 1-D: the learned map
G(x) against an exact map, and the histogram of samples against the N(0, 1)
density. Points in 2-D: the critic's value as filled contours over the plane,
real points and generated points on top. The figures use matplotlib's object
API (no pyplot state).
"""

import numpy as np

from wgan_gp_tf.images import image_grid

_DPI = 80


def sample_grid(model, rows, seed):
    """`rows x rows` samples of a `WGANGP`'s sampling generator, from noise fixed by `seed`.

    A conditional generator draws one row per class instead, `rows` samples
    each, the same noise down each column.
    """
    if not model.num_classes:
        images = model.generate(model.sample_latent(rows * rows, seed))
        return image_grid(model.to_unit_range(images), rows)
    noise = np.tile(np.asarray(model.sample_latent(rows, seed)), (model.num_classes, 1))
    labels = np.repeat(np.arange(model.num_classes, dtype=np.int32), rows)
    return image_grid(model.to_unit_range(model.generate(noise, labels)), rows)


def map_picture(model, exact_map, iteration, samples=10_000, seed=0):
    """The learned map of a 1-D generator on U(0, 1) noise, and its samples.

    Args:
        model: a `WGANGP` whose generator maps 1-d noise in (0, 1) to 1-d points.
        exact_map: the map the generator should learn, on NumPy arrays (its
            mirror image x -> exact_map(1 - x) = -exact_map(x) is drawn too).
        iteration: for the title.
        samples: points drawn for the histogram.
        seed: seeds their noise.
    """
    figure = _figure((9, 3.6))
    map_axes, histogram_axes = figure.subplots(1, 2)
    x = np.linspace(0.001, 0.999, 500, dtype=np.float32)
    exact = exact_map(x)
    generator = model.sampling_generator
    map_axes.plot(x, exact, "k--", lw=1, label="Φ⁻¹(x)")
    map_axes.plot(x, -exact, "k:", lw=1, label="Φ⁻¹(1 - x)")
    map_axes.plot(x, np.asarray(generator(x[:, None]))[:, 0], "C0", lw=2, label="G(x)")
    map_axes.set(xlabel="noise x ~ U[0, 1]", ylabel="G(x)", ylim=(-3.5, 3.5),
                 title=f"learned map, iteration {iteration}")
    map_axes.legend(loc="upper left", fontsize=8)
    points = np.asarray(generator(model.sample_latent(samples, seed)))[:, 0]
    grid = np.linspace(-4, 4, 400)
    histogram_axes.hist(points, bins=80, range=(-4, 4), density=True, color="C0", alpha=0.6,
                        label="G(x) samples")
    histogram_axes.plot(grid, np.exp(-grid**2 / 2) / np.sqrt(2 * np.pi), "k", lw=1,
                        label="N(0, 1)")
    histogram_axes.set(xlabel="value", title="samples against the target density")
    histogram_axes.legend(loc="upper left", fontsize=8)
    return _render(figure)


def critic_picture(model, real_points, title, samples=1000, seed=0, extent=2.2):
    """The critic's contours over the plane, with real and generated 2-D points.

    Args:
        model: a `WGANGP` on 2-D points.
        real_points: real points `[N, 2]` to draw.
        title: the figure's title.
        samples: generated points to draw.
        seed: seeds their noise.
        extent: the plane is drawn over `[-extent, extent]^2`.
    """
    figure = _figure((5, 5))
    axes = figure.subplots()
    axis = np.linspace(-extent, extent, 121, dtype=np.float32)
    grid = np.stack(np.meshgrid(axis, axis), axis=-1).reshape(-1, 2)
    scores = np.asarray(model.critic(grid))[:, 0].reshape(len(axis), len(axis))
    contours = axes.contourf(axis, axis, scores, levels=20, cmap="viridis")
    figure.colorbar(contours, ax=axes, shrink=0.8, label="critic D(x)")
    fake = np.asarray(model.sampling_generator(model.sample_latent(samples, seed)))
    axes.scatter(real_points[:, 0], real_points[:, 1], s=3, c="orange", label="real")
    axes.scatter(fake[:, 0], fake[:, 1], s=3, c="lime", label="generated")
    axes.set(xlim=(-extent, extent), ylim=(-extent, extent), aspect="equal", title=title)
    axes.legend(loc="upper right", fontsize=8, markerscale=3)
    return _render(figure)


def _figure(size):
    # matplotlib loads only when a picture of points is drawn.
    from matplotlib.figure import Figure

    return Figure(figsize=size, dpi=_DPI, layout="constrained")


def _render(figure):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return np.asarray(canvas.buffer_rgba())[..., :3].copy()
