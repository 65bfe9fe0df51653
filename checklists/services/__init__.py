"""The operations that change state, one transaction each, by topic. Import from the topic's module:

- `episodes`: schedule, reschedule, cancel, sign off and record done a procedure.
- `tasks`: the changes to one task of a procedure (done, not applicable, reopened, reported by the
  patient, report rejected), with the version check that refuses a stale change.
- `protocols`: the protocol editor's changes to a draft version, publishing it, and installing the
  shipped protocols.

Locking: every operation that locks both a procedure and its tasks locks the procedure's row first
(`episodes.lock_episode`), then the tasks, so two operations on one procedure queue instead of
deadlocking. The clinical operations announce what changed (`checklists.events`) inside their
transaction and record who, when and why in the history tables (`audit.save_with_history`).
"""
