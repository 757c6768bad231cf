"""Same story, many outlets: near-duplicate and same-event matching of Chinese news, kept in the store.

- features.py: character shingles and the facts of the event (figures, people, quoted names, day, city);
- minhash.py: MinHash signatures and LSH band keys (numpy);
- match.py: the precise check on a candidate pair (repost, independent write-up, or vetoed);
- index.py: the persistent index in story_signatures / story_bands (LSH bands and anchor keys);
- cluster.py: assign_story / assign_stories / rebuild_stories / refresh_story / pick_representative over the store;
- evaluate.py: pairwise and B-cubed scores on labelled JSONL (`union-news stories --eval`).
See docs/stories.md.
"""

from aggregator.stories.cluster import (
    MATCHABLE,
    assign_stories,
    assign_story,
    detach,
    features_of,
    pick_representative,
    rebuild_stories,
    refresh_story,
    representative_key,
)
from aggregator.stories.features import Features, extract
from aggregator.stories.match import Verdict, judge, same_story

__all__ = [
    "MATCHABLE", "Features", "Verdict", "assign_stories", "assign_story", "detach", "extract", "features_of", "judge",
    "pick_representative", "rebuild_stories", "refresh_story", "representative_key", "same_story",
]
