"""cdk-nag's AwsSolutions pack runs on every synth; nothing it reports may go unsuppressed or unexplained."""

from __future__ import annotations


def test_nag_ran_over_the_stack(synth):
    checked_rules = {row["Rule ID"] for row in synth.nag_rows}
    # A sample of rules that must have been evaluated, proving the Aspect is attached.
    assert {"AwsSolutions-S1", "AwsSolutions-S10", "AwsSolutions-DDB3", "AwsSolutions-IAM5"} <= checked_rules
    compliant = {(r["Rule ID"], r["Resource ID"]) for r in synth.nag_rows if r["Compliance"] == "Compliant"}
    assert ("AwsSolutions-DDB3", "wanllmdb-acme/MetadataTable/Table/Resource") in compliant


def test_no_unsuppressed_nag_findings(synth, synth_destroy):
    for result in (synth, synth_destroy):
        open_findings = [r for r in result.nag_rows if r["Compliance"] == "Non-Compliant"]
        assert open_findings == []
        errors = [m for m in result.messages if m[0] == "ERROR"]
        assert errors == []


def test_every_suppression_carries_a_real_reason(synth, synth_destroy):
    suppressed = [r for s in (synth, synth_destroy) for r in s.nag_rows if r["Compliance"] == "Suppressed"]
    assert suppressed
    for row in suppressed:
        reason = row["Exception Reason"].split("] ", 1)[-1]
        assert len(reason) >= 40, row


def test_the_only_nag_warnings_are_the_deliberate_annotations(synth):
    warnings = {m[2] for m in synth.messages if m[0] == "WARNING"}
    assert all("synth-check" in w for w in warnings), warnings
