"""Files written whole or not at all: a reader finds the old file or the new one, never half."""

import contextlib
import os
import uuid


@contextlib.contextmanager
def replacing(path):
    """Yields a temporary path beside `path`, which replaces `path` when the block ends.

    The temporary name is unique, so that writers in two processes never
    share one, and keeps `path`'s extension, for writers that go by it. If
    the block raises, the temporary file is removed and `path` left as it was.
    """
    root, extension = os.path.splitext(path)
    temporary = f"{root}.partial-{uuid.uuid4().hex}{extension}"
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_text(path, text):
    """Writes `text` to `path` as UTF-8, atomically."""
    with replacing(path) as temporary, open(temporary, "w", encoding="utf-8") as file:
        file.write(text)
