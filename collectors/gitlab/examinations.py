"""The examination of a group's projects, handed back in listing order: each batch of
projects' GraphQL query (head commits, protected branches, members) asked a bounded number of
batches ahead, then each project examined in the pool once its batch is answered (project.py)."""

from __future__ import annotations

from collections.abc import Iterator

from collectors.base import WorkerPool
from collectors.gitlab import batch, dora_api
from collectors.gitlab.client import TokenRefused
from collectors.gitlab.mapping import Listed
from collectors.gitlab.project import Examination, Examiner, GroupScope
from scanner.contract import CollectContext

THREADS_PER_REQUEST = 2  # examining threads per request in flight
BATCHES_AHEAD = 2  # GraphQL batches asked ahead of the examinations that wait for them


def examinations(
    ctx: CollectContext, examiner: Examiner, projects: list[Listed], group: GroupScope
) -> Iterator[tuple[Listed, Examination]]:
    """Examinations in listing order. A batch's projects are examined once its GraphQL query is
    answered; the queries run in the pool, BATCHES_AHEAD of the examinations: all asked first,
    they kept the workers idle until the last was answered, and all queued at once, they would
    hold every worker."""
    # Twice as many examining threads as requests in flight (the client holds those to
    # max_workers): while some threads unpack archives and detect, others' requests wait on
    # the network, so max_workers requests stay in flight instead of idling through the CPU work.
    with WorkerPool(THREADS_PER_REQUEST * ctx.limits.max_workers, "pecm-gitlab") as pool:
        # GitLab's DORA figures come in the batch while the API is not refused (the group's asked first)
        dates = dora_api.window_dates(examiner.clock(), examiner.window_days) if examiner.dora.refused is None else None
        states = batch.ProjectStates(examiner.client, projects, dates)
        answered = (
            (project, known.get(project.id))
            for project, known in pool.batched_ahead(projects, batch.BATCH, states.of, BATCHES_AHEAD)
        )
        for (project, _known), examination in pool.in_order(
            answered, lambda item: examiner.examine(item[0], item[1], group),
            lambda item, exc: Examination.failed(item[0], exc), fatal=(TokenRefused,),
        ):
            yield project, examination
