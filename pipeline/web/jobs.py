"""Long work (ingest of many workbooks, papers and their PDFs, issue) in a background thread;
the page polls the job's state every second.

The library's own locks and atomic writers make a job safe to lose: stopping the server
mid-job leaves the previous outputs, or the new ones, never a mixture.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pipeline.common.errors import EnvironmentProblem, HosoError, InputError, Problem

_log = logging.getLogger(__name__)
_KEPT = 50  # finished jobs kept for their pages

Say = Callable[[str], None]
Work = Callable[[Say], dict[str, Any]]


@dataclass
class Job:
    id: str
    dossier: str
    kind: str  # the template that shows its outcome: "ingest", "papers", "issue"
    title: str
    lines: list[str] = field(default_factory=list)
    done: bool = False
    outcome: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # files written anyway (marked copies)
    error: str = ""  # an environment problem or a bug, in words
    hint: str = ""

    @property
    def ok(self) -> bool:
        return self.done and not self.error and not any(p.severity == "loi" for p in self.problems)


class Jobs:
    """The server's jobs; one running job per dossier (a second request joins it)."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def running(self, dossier: str) -> Job | None:
        with self._lock:
            return next(
                (j for j in self._jobs.values() if j.dossier == dossier and not j.done), None
            )

    def start(
        self, dossier: str, kind: str, title: str, work: Work, outcome: dict[str, Any] | None = None
    ) -> Job:
        """Run `work` for `dossier` unless a job of the dossier runs already (then that one);
        `outcome` holds what the page shows whatever the work's end."""
        with self._lock:
            busy = next(
                (j for j in self._jobs.values() if j.dossier == dossier and not j.done), None
            )
            if busy is not None:
                return busy
            job = Job(secrets.token_hex(8), dossier, kind, title, outcome=dict(outcome or {}))
            self._jobs[job.id] = job
            finished = [j for j in self._jobs.values() if j.done]
            for old in finished[: max(0, len(finished) - _KEPT)]:
                del self._jobs[old.id]
        thread = threading.Thread(target=self._run, args=(job, work), daemon=True)
        thread.start()
        return job

    def _run(self, job: Job, work: Work) -> None:
        try:
            job.outcome.update(work(job.lines.append))
        except InputError as exc:
            job.problems = exc.problems
            job.written = exc.written
        except EnvironmentProblem as exc:
            job.error, job.hint = exc.message, exc.hint or ""
        except HosoError as exc:
            job.error = str(exc)
        except Exception:  # a bug of ours: said plainly, as the CLI does (exit 4)
            _log.exception("job %s failed", job.id)
            job.error = "Lỗi chương trình (không phải do số liệu của bạn)"
            job.hint = "các tệp kết quả trước đó vẫn nguyên vẹn; báo cho người hỗ trợ kỹ thuật."
        finally:
            job.done = True
