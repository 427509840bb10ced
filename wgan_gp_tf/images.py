"""Image grids and PNG files, shared by training, `sample.py` and the client.

Only NumPy and Pillow: reading an export's images needs no training code.
"""

import math

import numpy as np
from PIL import Image

from wgan_gp_tf import files


def image_grid(images, columns=None):
    """Tiles images in [0, 1] into one uint8 image, row by row.

    Args:
        images: array `[N, H, W, C]` with values in [0, 1] (clipped).
        columns: images per row; by default the smallest square that fits.
            A last row that is not full is padded with black.

    Returns:
        uint8 array `[rows * H, columns * W, C]`.
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim != 4 or len(images) == 0:
        raise ValueError(
            f"expected a non-empty batch of images [N, H, W, C]; got shape {images.shape}")
    count, height, width, channels = images.shape
    columns = columns or math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    padding = np.zeros((rows * columns - count, height, width, channels), np.float32)
    grid = np.concatenate([images, padding]).reshape(rows, columns, height, width, channels)
    grid = grid.transpose(0, 2, 1, 3, 4).reshape(rows * height, columns * width, channels)
    return np.round(np.clip(grid, 0.0, 1.0) * 255).astype(np.uint8)


def write_png(array, path):
    """Writes a uint8 `[H, W, C]` image, C 1 or 3, atomically."""
    image = Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)
    with files.replacing(path) as temporary:
        image.save(temporary, format="PNG")
