"""Training dynamics of a two-parameter GAN as ODEs, after the original repo's gan_numeric.py.

The smallest GAN that shows whether training converges: the real data is a
point mass at the origin of the plane, the generator a point mass at theta,
and the critic linear, D(x) = phi . x. Gradient descent on both with
infinitesimal steps is an ODE in (phi1, phi2, theta1, theta2); the only
equilibrium worth having is theta = 0. Each `System` is one loss's field,
with the time span, output step and plot range that gan_numeric.py uses, all
started from its (phi, theta) = (0.1, 0.2, 0.2, 0.1). `solve` integrates
with SciPy's `solve_ivp` (RK45), as the original does.

What the figures show, over the spans gan_numeric.py integrates: only
WGAN-GP with a zero target (c = 0, a penalty on ||phi||^2) reaches the
origin, ||theta|| falling from 0.22 to 0.003; the standard GAN, WGAN and
GAN-QP keep circling it; WGAN-GP with c = 1 is pushed out to a circle of
radius about 1.
"""

import dataclasses
from collections.abc import Callable

import numpy as np
from matplotlib import animation
from matplotlib.figure import Figure
from scipy.integrate import solve_ivp

from wgan_gp_tf import files
from wgan_gp_tf.registry import Registry

# gan_numeric.py's starting point (phi1, phi2, theta1, theta2).
INITIAL_STATE = (0.1, 0.2, 0.2, 0.1)


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def standard_gan_field(state):
    """The standard GAN: p = sigmoid(phi . theta); phi' = -p theta, theta' = (1 - p) phi."""
    phi, theta = np.asarray(state[:2]), np.asarray(state[2:])
    p = _sigmoid(phi @ theta)
    return np.concatenate([-p * theta, (1.0 - p) * phi])


def wgan_field(state):
    """WGAN with the critic held 1-Lipschitz by normalising phi: D(x) = phi . x / ||phi||.

    phi moves along -theta projected orthogonally to phi (so ||phi|| stays
    constant), theta along phi / ||phi||.
    """
    phi, theta = np.asarray(state[:2]), np.asarray(state[2:])
    norm = np.linalg.norm(phi)
    return np.concatenate([-theta / norm + (phi @ theta) * phi / norm**3, phi / norm])


def wgan_gp_field(state, target=1.0, weight=0.1):
    """WGAN-GP: the penalty weight * (||phi|| - target)^2 on the critic's gradient phi.

    phi' = -theta - 2 weight (1 - target / ||phi||) phi, theta' = phi.
    """
    phi, theta = np.asarray(state[:2]), np.asarray(state[2:])
    norm = np.linalg.norm(phi)
    return np.concatenate([-theta - 2.0 * weight * (1.0 - target / norm) * phi, phi])


def gan_qp_field(state, weight=1.0):
    """GAN-QP (kexue.fm/archives/6163): phi' = -theta (1 + (phi . theta) / (||phi|| weight)).

    theta' = phi.
    """
    phi, theta = np.asarray(state[:2]), np.asarray(state[2:])
    norm = np.linalg.norm(phi)
    return np.concatenate([-theta - theta * (phi @ theta) / norm / weight, phi])


@dataclasses.dataclass(frozen=True)
class System:
    """One loss's dynamics and how gan_numeric.py integrates and draws it.

    Attributes:
        name: the figure's file name, without extension.
        title: the figure's title.
        field: `state [4] -> derivative [4]`.
        duration: integrated over `[0, duration)`.
        step: the spacing of the output times.
        limit: the plot shows `[-limit, limit]` on both axes.
    """

    name: str
    title: str
    field: Callable[[np.ndarray], np.ndarray]
    duration: float
    step: float
    limit: float


SYSTEMS = Registry("system", (
    System("standard_gan", "standard GAN", standard_gan_field, 100.0, 0.1, 0.3),
    System("wgan", "WGAN (normalised critic)", wgan_field, 10.0, 0.01, 0.4),
    System("wgan_gp_c0", "WGAN-GP, c = 0, λ = 0.1",
           lambda state: wgan_gp_field(state, target=0.0), 40.0, 0.1, 0.3),
    System("wgan_gp_c1", "WGAN-GP, c = 1, λ = 0.1",
           lambda state: wgan_gp_field(state, target=1.0), 40.0, 0.1, 1.1),
    System("gan_qp", "GAN-QP, λ = 1", gan_qp_field, 40.0, 0.1, 0.3),
))
# The `System` called a name; an unknown one is a ConfigError that lists the others.
get = SYSTEMS.get


def solve(system, initial_state=INITIAL_STATE):
    """Integrates a system with RK45 from `initial_state`.

    Returns:
        `(times [N], states [4, N])`, the states at `0, step, ...` below
        `duration`; rows are phi1, phi2, theta1, theta2.
    """
    times = np.arange(0.0, system.duration, system.step)
    solution = solve_ivp(lambda _, state: system.field(state), (0.0, system.duration),
                         list(initial_state), method="RK45", t_eval=times)
    if not solution.success:
        raise RuntimeError(f"{system.name}: {solution.message}")
    return solution.t, solution.y


def _draw(axes, system, states, end=None):
    axes.plot(states[2, :end], states[3, :end], color="tab:blue", lw=1)
    axes.scatter([0], [0], 30, color="red", zorder=3)
    axes.set_xlim(-system.limit, system.limit)
    axes.set_ylim(-system.limit, system.limit)
    axes.set_aspect("equal")
    axes.set_xlabel("$\\theta_1$")
    axes.set_ylabel("$\\theta_2$")
    axes.set_title(system.title)


def trajectory_figure(system, states):
    """The path of theta in the plane, the target theta = 0 in red."""
    figure = Figure(figsize=(5, 5), dpi=100)
    _draw(figure.subplots(), system, states)
    figure.tight_layout()
    return figure


def overview_figure(solutions):
    """Every system side by side; `solutions` maps a `System` to its states."""
    figure = Figure(figsize=(4 * len(solutions), 4.3), dpi=100)
    for axes, (system, states) in zip(figure.subplots(1, len(solutions)), solutions.items(),
                                      strict=True):
        _draw(axes, system, states)
    figure.tight_layout()
    return figure


def save_figure(figure, path):
    """Writes a figure atomically, in the format its extension names."""
    with files.replacing(path) as temporary:
        figure.savefig(temporary)


def save_animation(system, states, path, frames=60):
    """Writes the path of theta growing over time as a GIF (Pillow's writer), atomically."""
    figure = Figure(figsize=(5, 5), dpi=80)
    axes = figure.subplots()
    ends = np.linspace(2, states.shape[1], frames).astype(int)

    def draw(end):
        axes.clear()
        _draw(axes, system, states, end)

    movie = animation.FuncAnimation(figure, draw, frames=ends, interval=100)
    with files.replacing(path) as temporary:
        movie.save(temporary, writer=animation.PillowWriter(fps=10))
