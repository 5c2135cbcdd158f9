"""Web sign-in on AWS: Cognito is the default OIDC issuer, wired into the identity function only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_wiring import function_ids_by_service

from infra_cdk.config import ConfigError, TenantConfig
from infra_cdk.login import login_environment


def _env(synth, service: str) -> dict[str, Any]:
    logical_id = function_ids_by_service(synth)[service]
    variables: dict[str, Any] = synth.resources[logical_id]["Properties"]["Environment"]["Variables"]
    return variables


def test_the_user_pool_admits_only_users_an_operator_adds(synth):
    pool = synth.one("AWS::Cognito::UserPool")
    props = pool["Properties"]
    assert props["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert props["UsernameAttributes"] == ["email"]
    assert props["AutoVerifiedAttributes"] == ["email"]
    assert props["Policies"]["PasswordPolicy"]["MinimumLength"] == 12
    assert props["MfaConfiguration"] == "OPTIONAL"
    # Users are data: kept, like the table, unless the operator asked to destroy data.
    assert pool["DeletionPolicy"] == "Retain" and props["DeletionProtection"] == "ACTIVE"


def test_destroy_data_lets_the_user_pool_go(synth_destroy):
    pool = synth_destroy.one("AWS::Cognito::UserPool")
    assert pool["DeletionPolicy"] == "Delete" and pool["Properties"]["DeletionProtection"] == "INACTIVE"


def test_the_app_client_is_public_code_flow_calling_back_to_the_site(synth):
    client = synth.one("AWS::Cognito::UserPoolClient")["Properties"]
    assert not client.get("GenerateSecret")  # a public client: PKCE instead of a secret
    assert client["AllowedOAuthFlows"] == ["code"] and client["AllowedOAuthFlowsUserPoolClient"] is True
    assert set(client["AllowedOAuthScopes"]) == {"openid", "email", "profile"}
    assert client["SupportedIdentityProviders"] == ["COGNITO"]
    assert client["PreventUserExistenceErrors"] == "ENABLED"
    distribution = next(iter(synth.of_type("AWS::CloudFront::Distribution")))
    site = {"Fn::GetAtt": [distribution, "DomainName"]}
    assert client["CallbackURLs"] == [{"Fn::Join": ["", ["https://", site, "/api/auth/oidc/callback"]]}]
    assert client["LogoutURLs"] == [{"Fn::Join": ["", ["https://", site]]}]
    domain = synth.one("AWS::Cognito::UserPoolDomain")["Properties"]
    assert "wanllmdb-acme-" in json.dumps(domain["Domain"])


def test_the_identity_function_is_told_the_issuer_and_client(synth):
    pool_id = next(iter(synth.of_type("AWS::Cognito::UserPool")))
    client_id = next(iter(synth.of_type("AWS::Cognito::UserPoolClient")))
    env = _env(synth, "identity")
    issuer = json.dumps(env["WANLLMDB_OIDC_ISSUER"])
    assert "https://cognito-idp." in issuer and pool_id in issuer
    assert env["WANLLMDB_OIDC_CLIENT_ID"] == {"Ref": client_id}
    assert "/api/auth/oidc/callback" in json.dumps(env["WANLLMDB_OIDC_REDIRECT_URL"])
    assert env["WANLLMDB_OIDC_SCOPES"] == "openid email profile"
    assert "WANLLMDB_OIDC_CLIENT_SECRET" not in env
    # Only identity serves /api/auth: no other function is told.
    for name in ("runs", "artifacts", "query", "sql", "reports", "compaction", "reaper", "notify"):
        assert not [k for k in _env(synth, name) if k.startswith("WANLLMDB_OIDC_")], name
    assert "UserPoolId" in synth.template["Outputs"]


# -- the sign-in choice in the tenant config --------------------------------------------------------


def _config(**context: str) -> TenantConfig:
    return TenantConfig.from_context({"tenant": "acme", **context}.get)


def test_cognito_is_the_default_and_password_only_needs_no_issuer():
    assert _config().login == "cognito"
    password = _config(login="password")
    assert login_environment(password, cognito_login=None, site_url="https://x") == {}


def test_another_issuer_replaces_cognito_with_its_public_client():
    config = _config(oidc_issuer="https://login.acme.com/realms/staff", oidc_client_id="wanllmdb",
                     oidc_allowed_email_domains="Acme.com, @acme.de")  # fmt: skip
    assert config.login == "oidc" and config.oidc_allowed_email_domains == ("acme.com", "acme.de")
    env = login_environment(config, cognito_login=None, site_url="https://ml.acme.com")
    assert env == {
        "WANLLMDB_OIDC_ISSUER": "https://login.acme.com/realms/staff",
        "WANLLMDB_OIDC_CLIENT_ID": "wanllmdb",
        "WANLLMDB_OIDC_REDIRECT_URL": "https://ml.acme.com/api/auth/oidc/callback",
        "WANLLMDB_OIDC_ALLOWED_EMAIL_DOMAINS": "acme.com,acme.de",
    }


@pytest.mark.parametrize(
    ("context", "words"),
    [
        ({"login": "saml"}, "not one of cognito, oidc, password"),
        ({"login": "oidc"}, "needs both"),
        ({"oidc_issuer": "http://login.acme.com", "oidc_client_id": "c"}, "not an https:// issuer URL"),
        ({"login": "cognito", "oidc_issuer": "https://login.acme.com"}, "use -c login=oidc"),
        ({"oidc_allowed_email_domains": "acme"}, "not an e-mail domain"),
    ],
)
def test_a_bad_sign_in_choice_is_refused_naming_the_key(context: dict[str, str], words: str):
    with pytest.raises(ConfigError, match=words):
        _config(**context)
