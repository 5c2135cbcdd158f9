"""The dashboard's security headers on AWS are the ones the embedded server sends, plus the lake
bucket as the one place media may come from."""

from __future__ import annotations

from typing import Any


def _joined(value: Any) -> str:
    """A CloudFormation string as text, with each bucket attribute written as <LogicalId.Attr>."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        sep, parts = value["Fn::Join"]
        return sep.join(_joined(part) for part in parts)
    if "Fn::GetAtt" in value:
        return "<{}.{}>".format(*value["Fn::GetAtt"])
    raise AssertionError(f"unexpected CloudFormation value {value!r}")


def _directives(csp: str) -> dict[str, list[str]]:
    return {name: rest for name, *rest in (d.split() for d in csp.split(";"))}


def test_the_dashboard_is_served_with_the_embedded_servers_strict_csp_plus_the_lake(synth) -> None:
    from wanllmdb_functions.core.security_headers import DASHBOARD_CSP

    config = synth.one("AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    policy_ref = config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"]
    policy = synth.resources[policy_ref["Ref"]]["Properties"]["ResponseHeadersPolicyConfig"]
    headers = policy["SecurityHeadersConfig"]
    assert headers["ContentSecurityPolicy"]["Override"] is True
    aws = _directives(_joined(headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]))
    local = _directives(DASHBOARD_CSP)
    (lake_id,) = [k for k in synth.of_type("AWS::S3::Bucket") if k.startswith("LakeBucket")]
    lake = [f"https://<{lake_id}.DomainName>", f"https://<{lake_id}.RegionalDomainName>"]
    for name in ("img-src", "media-src", "connect-src"):
        assert aws[name] == local[name] + lake, name
    # Everything else, script above all, is exactly the embedded server's policy.
    others = set(local) - {"img-src", "media-src", "connect-src"}
    assert {n: aws[n] for n in others} == {n: local[n] for n in others}
    assert aws["script-src"] == ["'self'"]
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
