"""WGAN-GP in TensorFlow 2 / Keras 3, after github.com/bojone/gan.

Modules: `config` (TrainConfig and presets), `penalties`, `models`, `trainer`
(the `WGANGP` keras.Model), `data`, `callbacks`, `export`, and `train_lib.run`,
which wires them together.
"""
