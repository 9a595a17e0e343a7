"""Run with KERAS_BACKEND=jax: trains the zoo's masked tagger a few steps and saves it as .keras.

    python jax_train_save.py OUT_DIR

Writes OUT_DIR/tagger.keras and OUT_DIR/sample.npz (an input and JAX's prediction for it), and
prints one JSON line with their paths.
"""

import json
import os
import sys

assert os.environ.get("KERAS_BACKEND") == "jax"

import keras  # noqa: E402
import numpy as np  # noqa: E402
from model_zoo import ZOO, train_briefly  # noqa: E402

assert keras.backend.backend() == "jax"
out_dir = sys.argv[1]
keras.utils.set_random_seed(0)
zoo = ZOO["tagger"]
model = zoo.build(None, None)
rng = np.random.default_rng(0)
train_briefly(zoo, model, rng, time=10)
path = os.path.join(out_dir, "tagger.keras")
model.save(path)
(x,), _ = zoo.data(rng, 3, 9)
sample = os.path.join(out_dir, "sample.npz")
np.savez(sample, x=x, jax_prediction=np.asarray(model.predict(x, verbose=0)))
print(json.dumps({"backend": keras.backend.backend(), "path": path, "sample": sample,
                  "steps": int(model.optimizer.iterations.numpy())}))
