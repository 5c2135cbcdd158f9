"""The dashboard's security headers on AWS are the ones the embedded server sends."""

from __future__ import annotations


def test_the_dashboard_is_served_with_the_embedded_servers_strict_csp(synth):
    from wanllmdb_functions.core.security_headers import DASHBOARD_CSP

    config = synth.one("AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"]
    policy_ref = config["DefaultCacheBehavior"]["ResponseHeadersPolicyId"]
    policy = synth.resources[policy_ref["Ref"]]["Properties"]["ResponseHeadersPolicyConfig"]
    headers = policy["SecurityHeadersConfig"]
    assert headers["ContentSecurityPolicy"] == {"ContentSecurityPolicy": DASHBOARD_CSP, "Override": True}
    assert "script-src 'self'" in DASHBOARD_CSP
    assert headers["ContentTypeOptions"] == {"Override": True}
    assert headers["FrameOptions"]["FrameOption"] == "DENY"
    assert headers["ReferrerPolicy"]["ReferrerPolicy"] == "no-referrer"
