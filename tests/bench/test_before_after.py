"""The before/after comparison's arithmetic: which way a figure is better, the best of several runs of one side,
and when a change counts as worse (outside the noise allowance)."""

from __future__ import annotations

from bench.before_after import best_of, better_direction, compare


def test_direction_from_the_name() -> None:
    assert better_direction("verify_full_jcs_per_s") == "higher"
    assert better_direction("verify_rdfc_vs_digitalbazaar") == "higher"
    assert better_direction("history_s") == "lower"
    assert better_direction("verify_1000_rpc_requests_2rpc") == "lower"
    assert better_direction("anything", "gas") == "lower"


def test_best_of_takes_each_figure_from_its_best_run() -> None:
    runs = [{"history_s": 0.52, "status_at_1000_s": 0.03, "x_per_s": 10, "history_rpc_requests": 100,
             "_seconds": 100.0, "note": "a"},
            {"history_s": 0.36, "status_at_1000_s": 0.05, "x_per_s": 12, "history_rpc_requests": 100,
             "_seconds": 90.0, "note": "b"}]
    best = best_of(runs)
    assert best["history_s"] == 0.36 and best["status_at_1000_s"] == 0.03 and best["x_per_s"] == 12
    assert best["history_rpc_requests"] == 100 and best["note"] == "a"
    assert best["_runs"] == 2 and best["_seconds"] == 190.0


def test_worse_only_beyond_the_noise_allowance() -> None:
    got = compare({"history_s": 0.40, "rate_per_s": 100.0}, {"history_s": 0.45, "rate_per_s": 80.0}, noise=0.15)
    assert got["history_s"]["no_worse"] is True  # 12.5 % slower: within the allowance
    assert got["rate_per_s"]["no_worse"] is False  # 20 % slower
    assert got["rate_per_s"]["change"] == 0.8


def test_a_peers_own_rate_is_shown_but_not_judged() -> None:
    got = compare({"didkit_verify_per_s": 430.0, "verify_jcs_vs_didkit": 10.8},
                  {"didkit_verify_per_s": 270.0, "verify_jcs_vs_didkit": 33.7}, noise=0.15)
    assert got["didkit_verify_per_s"]["reference"] is True and got["didkit_verify_per_s"]["no_worse"] is True
    assert "reference" not in got["verify_jcs_vs_didkit"]


def test_merging_replaces_the_benchmarks_measured_again() -> None:
    from bench.before_after import merged

    earlier = {"before": "a", "after": "b", "failed": {"did (after)": "boom"},
               "benches": {"did": {"x_per_s": {"no_worse": False}}, "gas": {"g": {"no_worse": True}}}}
    later = {"before": "a", "after": "c", "failed": {},
             "benches": {"did": {"x_per_s": {"no_worse": True}, "_commits": {"before": "a", "after": "c"}}}}
    out = merged(earlier, later)
    assert out["no_worse"] is True and out["failed"] == {} and out["worse"] == []
    assert out["benches"]["gas"]["_commits"] == {"before": "a", "after": "b"}
    assert out["benches"]["did"]["_commits"]["after"] == "c"
