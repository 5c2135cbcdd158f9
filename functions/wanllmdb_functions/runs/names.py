"""Memorable names for runs created without one, as wandb gives them: `adjective-noun-N`.

N is the project's run number, taken from an atomic per-project counter, so two generated names in
one project never collide. The words come from a hash of the run id, so every retry of the same
create picks the same two words.
"""

from __future__ import annotations

import hashlib

__all__ = ["ADJECTIVES", "NOUNS", "generated_name"]

ADJECTIVES = (
    "amber", "ancient", "autumn", "bold", "brave", "breezy", "bright", "brisk", "calm", "celestial",
    "clever", "cosmic", "crimson", "crisp", "curious", "dainty", "dashing", "dauntless", "deft", "eager",
    "earthy", "electric", "elegant", "fancy", "fearless", "fiery", "fine", "fluent", "frosty", "gallant",
    "gentle", "gleaming", "glorious", "golden", "graceful", "hardy", "hearty", "helpful", "hopeful",
    "icy", "jolly", "keen", "kind", "lively", "lucky", "lunar", "magic", "mellow", "misty", "noble",
    "northern", "olive", "peachy", "playful", "polar", "proud", "quiet", "radiant", "rapid", "restful",
    "rosy", "royal", "rustic", "scarlet", "serene", "sharp", "silent", "silver", "sleek", "smooth",
    "snowy", "solar", "spring", "stellar", "stoic", "sunny", "swift", "tidy", "twilight", "vibrant",
    "vivid", "warm", "wild", "wise", "youthful", "zesty",
)  # fmt: skip

NOUNS = (
    "aurora", "bird", "blaze", "breeze", "brook", "butterfly", "canyon", "cloud", "comet", "cosmos",
    "dawn", "deluge", "dew", "dream", "dune", "eon", "feather", "fern", "field", "firefly", "flower",
    "fog", "forest", "frost", "galaxy", "glade", "glitter", "grass", "haze", "hill", "lake", "leaf",
    "meadow", "moon", "morning", "mountain", "night", "oasis", "ocean", "paper", "pine", "planet",
    "plasma", "pond", "rain", "resonance", "river", "salad", "sea", "shadow", "shape", "sky", "smoke",
    "snow", "snowflake", "sound", "spaceship", "star", "sun", "sunset", "surf", "terrain", "thunder",
    "tree", "universe", "valley", "violet", "voice", "water", "wave", "wildflower", "wind", "wood",
)  # fmt: skip


def generated_name(run_id: str, number: int) -> str:
    digest = hashlib.sha256(run_id.encode()).digest()
    adjective = ADJECTIVES[int.from_bytes(digest[:4], "big") % len(ADJECTIVES)]
    noun = NOUNS[int.from_bytes(digest[4:8], "big") % len(NOUNS)]
    return f"{adjective}-{noun}-{number}"
