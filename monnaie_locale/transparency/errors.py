"""Errors of the published log's acts, in the core's error tree.

MonnaieLocaleError
├── InvalidRequest
│   └── BeyondTheTree         a size or an entry the tree does not hold yet
├── NotFound
│   ├── NoCheckpoint          none made yet, or none with this id
│   ├── UnknownEntry          no entry with this number, or none the caller may see
│   └── UnknownAlarm
└── Conflict
    ├── CheckpointRefused     the tree no longer holds a checkpoint signed: not signed
    ├── TreeUnreadable        the journal lacks entries the tree holds
    ├── AlarmAcknowledged     an alarm read already
    └── NoCheckpointKey       this process has no key to sign checkpoints with
"""

from __future__ import annotations

from monnaie_locale.errors import Conflict, InvalidRequest, NotFound

__all__ = [
    "AlarmAcknowledged",
    "BeyondTheTree",
    "CheckpointRefused",
    "NoCheckpoint",
    "NoCheckpointKey",
    "TreeUnreadable",
    "UnknownAlarm",
    "UnknownEntry",
]


class BeyondTheTree(InvalidRequest):
    """Raised when a proof is asked at a size the tree does not reach, or out of order."""

    code = "beyond_the_tree"

    def __init__(self, asked: str, size: int) -> None:
        super().__init__(f"{asked}: the tree holds {size} entries")
        self.asked = asked
        self.size = size


class NoCheckpoint(NotFound):
    """Raised when no checkpoint was made yet (``checkpoint_id`` None), or none has that id."""

    code = "no_checkpoint"

    def __init__(self, checkpoint_id: int | None = None) -> None:
        said = "no checkpoint was made yet" if checkpoint_id is None else "no such checkpoint"
        super().__init__(said if checkpoint_id is None else f"{said}: {checkpoint_id}")
        self.checkpoint_id = "" if checkpoint_id is None else str(checkpoint_id)


class UnknownEntry(NotFound):
    """Raised when no journal entry has this number, or the caller may not see it."""

    code = "unknown_entry"

    def __init__(self, seq: int) -> None:
        super().__init__(f"no journal entry {seq} of yours")
        self.seq = seq


class UnknownAlarm(NotFound):
    """Raised when no transparency alarm has this id."""

    code = "unknown_alarm"

    def __init__(self, alarm_id: int) -> None:
        super().__init__(f"no transparency alarm {alarm_id}")
        self.alarm_id = alarm_id


class CheckpointRefused(Conflict):
    """Raised when a checkpoint is asked while the tree no longer holds checkpoint
    ``checkpoint_id``: signing would cover a rewritten history. An alarm says it too."""

    code = "checkpoint_refused"

    def __init__(self, checkpoint_id: int, size: int, reason: str) -> None:
        super().__init__(
            f"no checkpoint signed: the tree no longer holds checkpoint {checkpoint_id} "
            f"(size {size}): {reason}; see the transparency alarms"
        )
        self.checkpoint_id = checkpoint_id
        self.size = size
        self.reason = reason


class TreeUnreadable(Conflict):
    """Raised when a proof needs journal entries the tree holds and the journal lost."""

    code = "tree_unreadable"

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"the tree cannot be read: {reason}; the journal lost entries it held, "
            "see the transparency alarms"
        )
        self.reason = reason


class AlarmAcknowledged(Conflict):
    """Raised when an alarm is acknowledged a second time: the first one is kept."""

    code = "alarm_acknowledged"

    def __init__(self, alarm_id: int, by: str) -> None:
        super().__init__(f"transparency alarm {alarm_id} was acknowledged already, by {by}")
        self.alarm_id = alarm_id
        self.by = by


class NoCheckpointKey(Conflict):
    """Raised when this process is asked to sign a checkpoint without the deployment's key
    (``mlc`` run without ``MLC_SIGNING_KEY_FILE``): the service signs them, with its key."""

    code = "no_checkpoint_key"

    def __init__(self) -> None:
        super().__init__(
            "no signing key configured here: checkpoints are signed with the deployment's "
            "key (MLC_SIGNING_KEY_FILE); ask the service (POST /v1/transparency/checkpoints)"
        )
