"""Splitting long text into pieces a platform accepts, never cutting anything away.

Slack (3000 characters a section) and Mattermost (16383 a post) both use it.
"""

from __future__ import annotations


def split_text(text: str, limit: int) -> list[str]:
    """Split mrkdwn into pieces of at most `limit` characters, at lines, then words.

    A ``` code fence cut in two is closed at the end of one piece and reopened at the
    start of the next, so both halves still render as code.
    """
    fence = "```"
    room = limit - 2 * len(fence) - 2
    pieces: list[str] = []
    rest = text
    open_fence = False
    while rest:
        prefix = fence + "\n" if open_fence else ""
        if len(prefix) + len(rest) <= limit:
            pieces.append(prefix + rest)
            break
        cut = rest.rfind("\n", 0, room)
        if cut <= 0:
            cut = rest.rfind(" ", 0, room)
        if cut <= 0:
            cut = room
        piece, rest = rest[:cut], rest[cut:].lstrip("\n")
        piece = prefix + piece
        if piece.count(fence) % 2 == 1:
            piece += "\n" + fence
            open_fence = True
        else:
            open_fence = False
        pieces.append(piece)
    return pieces or [""]
