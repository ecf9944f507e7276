"""Topics: the named taxonomy (:mod:`.named`) and where its training labels come from
(:mod:`.supervision`: pseudo-labels, judged papers), discovery with BERTopic (:mod:`.discovery`),
the registry with stable ids and lineage (:mod:`.registry`), and the store-facing steps
(:mod:`.fitting`)."""

from trends.topics.discovery import TopicDiscoverer, make_labels
from trends.topics.fitting import assign_papers, fit_topics, refit_due, sync_named_topics
from trends.topics.memberships import assign_nearest
from trends.topics.named import NamedTopicClassifier
from trends.topics.registry import reconcile
from trends.topics.supervision import LabelledPapers, load_labelled

__all__ = [
    "LabelledPapers",
    "NamedTopicClassifier",
    "TopicDiscoverer",
    "assign_nearest",
    "assign_papers",
    "fit_topics",
    "load_labelled",
    "make_labels",
    "reconcile",
    "refit_due",
    "sync_named_topics",
]
