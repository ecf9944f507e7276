"""The fitted :class:`~trends.topics.named.NamedTopicClassifier` as plain JSON, and back.

The store keeps this state (``models`` table); daily runs rebuild the classifier from it without
refitting or embedding anything. Arrays become lists, except the labelled papers' vectors and
labels (the neighbour vote's reference, thousands of rows), which are stored as base64 bytes
(float16 / int8); the taxonomy is stored with the model, so a state always scores papers with the
topics it was fitted on.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

import numpy as np

from trends.config import NamedTopicConfig

if TYPE_CHECKING:
    from trends.topics.named import NamedTopicClassifier

STATE_VERSION = 4
# fitted arrays: state key -> (attribute, dtype)
_ARRAYS = {
    "sim_mean": ("sim_mean_", np.float64),
    "sim_std": ("sim_std_", np.float64),
    "coef": ("coef_", np.float64),
    "intercept": ("intercept_", np.float64),
    "n_pseudo_pos": ("n_pseudo_pos_", int),
    "n_pseudo_neg": ("n_pseudo_neg_", int),
    "n_examples": ("n_examples_", int),
    "n_counter_examples": ("n_counter_examples_", int),
    "stack_coef": ("stack_coef_", np.float64),
    "stack_intercept": ("stack_intercept_", np.float64),
    "stacked": ("stacked_", bool),
    "n_labelled": ("n_labelled_", int),
}
# large arrays stored as bytes: state key -> (attribute, dtype)
_BLOBS = {"ref_x": ("ref_x_", np.float16), "ref_y": ("ref_y_", np.int8)}


def _pack(a: np.ndarray) -> dict[str, Any]:
    return {"shape": list(a.shape), "b64": base64.b64encode(a.tobytes()).decode("ascii")}


def _unpack(blob: dict[str, Any], dtype: type) -> np.ndarray:
    raw: np.ndarray = np.frombuffer(base64.b64decode(blob["b64"]), dtype=dtype)
    return raw.reshape(blob["shape"]).copy()


def state_of(clf: NamedTopicClassifier) -> dict[str, Any]:
    """The fitted model as JSON-serialisable values (lists, floats, strings)."""
    return {
        "version": STATE_VERSION,
        "params": clf.get_params(),
        "topics": [t.model_dump(mode="json") for t in clf.topics],
        "n_features_in": int(clf.n_features_in_),
        "n_fit": int(clf.n_fit_),
        "prototypes": [p.tolist() for p in clf.prototypes_],
        **{key: getattr(clf, attr).tolist() for key, (attr, _) in _ARRAYS.items()},
        **{
            key: _pack(np.ascontiguousarray(getattr(clf, attr), dtype=dtype))
            for key, (attr, dtype) in _BLOBS.items()
        },
    }


def restore(cls: type[NamedTopicClassifier], state: dict[str, Any]) -> NamedTopicClassifier:
    """Rebuild a fitted classifier from :func:`state_of` output."""
    if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
        got = state.get("version") if isinstance(state, dict) else type(state).__name__
        raise ValueError(
            f"state: expected a named-topic state of version {STATE_VERSION}, got {got}"
        )
    topics = [NamedTopicConfig(**t) for t in state["topics"]]
    params = dict(state["params"])
    clf = cls(topics, params.pop("threshold"), params.pop("seed"), **params)
    clf._check_params()
    clf._set_taxonomy(topics)
    clf._set_prototypes(state["prototypes"])
    clf.n_features_in_ = int(state["n_features_in"])
    clf.n_fit_ = int(state["n_fit"])
    for key, (attr, dtype) in _ARRAYS.items():
        setattr(clf, attr, np.asarray(state[key], dtype=dtype))
    for key, (attr, dtype) in _BLOBS.items():
        setattr(clf, attr, _unpack(state[key], dtype))
    return clf
