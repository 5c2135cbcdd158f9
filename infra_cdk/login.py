"""Web sign-in: Cognito as the tenant's default OIDC issuer, or another issuer, or password only.

`CognitoLogin` is a user pool (e-mail sign-in, no self sign-up: an operator adds users), a hosted
sign-in domain, and a public app client for the authorization-code flow with PKCE. The client has
no secret: the identity function is a public client, so no secret sits in its environment. Its one
callback is the site's `/api/auth/oidc/callback`, which CloudFront sends to the API, so the session
cookies land on the site's own origin.

`login_environment` is what the identity function is told (`WANLLMDB_OIDC_*`, see docs/auth.md).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from infra_cdk.config import TenantConfig

__all__ = ["CALLBACK_PATH", "CognitoLogin", "login_environment"]

CALLBACK_PATH = "/api/auth/oidc/callback"
SCOPES = ("openid", "email", "profile")


class CognitoLogin(Construct):
    def __init__(self, scope: Construct, id: str, *, config: TenantConfig, site_url: str) -> None:
        super().__init__(scope, id)
        stack = Stack.of(self)
        self.user_pool = cognito.UserPool(
            self,
            "Users",
            user_pool_name=f"wanllmdb-{config.tenant}",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(email=True),
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(3),
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            deletion_protection=not config.destroy_data,
            removal_policy=RemovalPolicy.DESTROY if config.destroy_data else RemovalPolicy.RETAIN,
        )
        # The prefix is global per region: the account number keeps two accounts' `acme` apart.
        self.domain = self.user_pool.add_domain(
            "Domain",
            cognito_domain=cognito.CognitoDomainOptions(
                domain_prefix=f"wanllmdb-{config.tenant}-{stack.account}"
            ),
        )
        self.client = self.user_pool.add_client(
            "WebClient",
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=False, user_password=False, admin_user_password=False),
            o_auth=cognito.OAuthSettings(
                flows=cognito.OAuthFlows(authorization_code_grant=True),
                scopes=[cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
                callback_urls=[f"{site_url}{CALLBACK_PATH}"],
                logout_urls=[site_url],
            ),
            supported_identity_providers=[cognito.UserPoolClientIdentityProvider.COGNITO],
            prevent_user_existence_errors=True,
            id_token_validity=Duration.minutes(15),
            access_token_validity=Duration.minutes(15),
            refresh_token_validity=Duration.hours(1),
        )
        self.issuer = f"https://cognito-idp.{stack.region}.{stack.url_suffix}/{self.user_pool.user_pool_id}"
        self.redirect_url = f"{site_url}{CALLBACK_PATH}"
        NagSuppressions.add_resource_suppressions(
            self.user_pool,
            [
                NagPackSuppression(
                    id="AwsSolutions-COG2",
                    reason="MFA is optional (TOTP): the pool signs people into a dashboard, and a tenant "
                    "that needs MFA for everyone can require it in the pool without a code change",
                ),
                NagPackSuppression(
                    id="AwsSolutions-COG8",
                    reason="The Plus feature plan (threat protection, compromised-password checks) is "
                    "billed per user; self sign-up is off and every user is added by an operator",
                ),
                NagPackSuppression(
                    id="AwsSolutions-COG3",
                    reason="Threat protection (advanced security) is a paid Cognito feature plan; self "
                    "sign-up is off and every user is added by an operator, which bounds the exposure",
                ),
            ],
        )


def login_environment(
    config: TenantConfig, *, cognito_login: CognitoLogin | None, site_url: str
) -> dict[str, str]:
    """The identity function's `WANLLMDB_OIDC_*` settings for this tenant's sign-in choice."""
    domains = {"WANLLMDB_OIDC_ALLOWED_EMAIL_DOMAINS": ",".join(config.oidc_allowed_email_domains)}
    if cognito_login is not None:
        return {
            "WANLLMDB_OIDC_ISSUER": cognito_login.issuer,
            "WANLLMDB_OIDC_CLIENT_ID": cognito_login.client.user_pool_client_id,
            "WANLLMDB_OIDC_REDIRECT_URL": cognito_login.redirect_url,
            "WANLLMDB_OIDC_SCOPES": " ".join(SCOPES),
            **domains,
        }
    if config.oidc_issuer is not None and config.oidc_client_id is not None:
        return {
            "WANLLMDB_OIDC_ISSUER": config.oidc_issuer,
            "WANLLMDB_OIDC_CLIENT_ID": config.oidc_client_id,
            "WANLLMDB_OIDC_REDIRECT_URL": f"{site_url}{CALLBACK_PATH}",
            **domains,
        }
    return {}
