"""Example backup client for `rpsim serve` (standard library only).

Owns one backup policy, written the way a client of Hyper-V's WMI API would write it: one chain
per VM group, a full export first, then differentials on the latest reference point whose export
completed; a full again after 32775 (the base's change tracking was reset, or its log is gone)
or after an export that failed; 32774 (busy) retried with back-off in sim time; an export over
its time budget cancelled (Terminate) only while the job says Cancellable; an export recorded in
the chain only once verified (Completed, 100 %, no error). It must never read rpsim's internals:
only the WMI objects the session serves.

    python3 examples/backup_client.py WORLD.yaml [--seed N] [--rounds 3] [--budget-s 30]
                                     [--rpsim PATH] [--broken]

--broken is the deliberately wrong variant: it kills (RequestStateChange 5) the first export
over its budget and records it in the chain as if it had completed. rpsim must catch that (restore
equivalence fails on the next differential). Exit 0 when the session's report passes.
"""

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))
import rpsim_wmi  # noqa: E402

JOB_RUNNING = (2, 3, 4, 5, 6)  # New, Starting, Running, Suspended, Shutting Down
COMPLETED, TERMINATE, KILL = 7, 4, 5
BROKEN_KILLED = []  # the broken variant kills once, then records that export
IN_USE, INVALID_STATE, STARTED = 32774, 32775, 4096


def wait_for(conn, job_path, budget_s, broken):
    """Polls the job until it ends; cancels it when over budget (only if Cancellable)."""
    waited, step, cancelled = 0.0, 0.25, False
    if broken and BROKEN_KILLED:
        budget_s = float("inf")  # it killed once; from then on it lets every export finish
    while True:
        job = conn.get(job_path)
        if job.JobState not in JOB_RUNNING:
            return job, cancelled
        if waited >= budget_s and not cancelled:
            if broken and not BROKEN_KILLED:
                job.RequestStateChange(KILL)
                BROKEN_KILLED.append(job_path)
                cancelled = True
            elif job.Cancellable:
                (code,) = job.RequestStateChange(TERMINATE)
                cancelled = code in (0, 4096)
        conn.sleep(step)
        waited += step


def export_once(conn, svc, group, base, directory, budget_s, broken):
    """One export of `group`; returns (recorded point or None, the reason)."""
    _, point, code = svc.CreateReferencePoint(Collection=group.path_(), ReferencePointType=2)
    if code != 0:
        return None, "CreateReferencePoint returned %d" % code
    settings = {"BaseReferencePointCollection": base or ""}
    for attempt in range(5):
        job_path, code = svc.ExportReferencePoint(
            ReferencePointCollection=point, ExportDirectory=directory, ExportSettingData=settings)
        if code != IN_USE:
            break
        conn.sleep(2 ** attempt)  # back-off in sim time
    if code == INVALID_STATE and base:
        return "full", "32775: the base cannot be used"
    if code != STARTED:
        return None, "ExportReferencePoint returned %d" % code
    job, cancelled = wait_for(conn, job_path, budget_s, broken)
    if broken and cancelled:
        return point, "killed, recorded anyway (broken client)"
    errors, _ = job.GetErrorEx()
    if job.JobState == COMPLETED and job.PercentComplete == 100 and job.ErrorCode == 0 and not errors:
        return point, "completed"
    return None, "JobState %d ErrorCode %d" % (job.JobState, job.ErrorCode)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("world")
    p.add_argument("--seed", type=int)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--budget-s", type=float, default=30.0)
    p.add_argument("--rpsim", default="rpsim")
    p.add_argument("--transcript")
    p.add_argument("--broken", action="store_true")
    args = p.parse_args(argv)
    conn = rpsim_wmi.connect(args.world, seed=args.seed, rpsim=args.rpsim, transcript=args.transcript)
    svc = conn.Msvm_CollectionReferencePointService()[0]
    chains = {}
    for round_ in range(args.rounds):
        for group in conn.Msvm_VirtualSystemCollection():
            chain = chains.setdefault(group.ElementName, [])
            base = chain[-1] if chain else None
            directory = "/exports/%s-%d" % (group.ElementName, round_)
            point, why = export_once(conn, svc, group, base, directory, args.budget_s, args.broken)
            if point == "full":
                chain.clear()
                point, why = export_once(conn, svc, group, None, directory + "-full", args.budget_s, args.broken)
            if point:
                chain.append(point)
            print("%s round %d: %s" % (group.ElementName, round_, why), file=sys.stderr)
        conn.sleep(5)
    report = conn.end()
    print(json.dumps({"chains": {k: len(v) for k, v in chains.items()}, "report": report}, sort_keys=True))
    return 0 if report.get("Verdict") == "pass" else 1


if __name__ == "__main__":
    sys.exit(main())
