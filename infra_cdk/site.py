"""The static web app: a private S3 bucket behind CloudFront (origin access control), with `/api/*`
forwarded to the HTTP API and `/collab-ws` to the reports' WebSocket API, so the browser talks to one
origin. `runtime-config.json` beside the app tells the dashboard what differs from the local server
(where the collaboration socket is).

SPA fallback is a CloudFront Function on the site behaviour that serves /index.html for any path without
a file extension. It deliberately replaces distribution-wide custom error responses (403/404 →
/index.html): those apply to every origin, so the API's own 403 and 404 JSON errors would reach the
browser as a 200 HTML page.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Annotations, Duration, RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import Construct

from infra_cdk.bundle import REPO_ROOT
from infra_cdk.lake import private_bucket
from wanllmdb_functions.core.security_headers import dashboard_csp

__all__ = ["RUNTIME_CONFIG", "SPA_REWRITE_JS", "WEB_DIST", "StaticSite", "runtime_config"]

WEB_DIST = REPO_ROOT / "web" / "dist"

SPA_REWRITE_JS = """\
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  // No file extension in the last segment: a client-side route of the single-page app.
  if (uri.lastIndexOf('.') <= uri.lastIndexOf('/')) {
    request.uri = '/index.html';
  }
  return request;
}
"""

# Read by the dashboard at start (web/src/runtimeConfig.ts); the local server has none, and its
# defaults are the local server's own paths.
RUNTIME_CONFIG = "runtime-config.json"


def runtime_config(socket_path: str) -> dict[str, str]:
    """What the dashboard is told on AWS: the collaboration socket is the site's `socket_path`
    (relative, so the site's own host and any custom domain both serve it)."""
    return {"collab_ws_url": socket_path}


class StaticSite(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        api_domain: str,
        socket_domain: str,
        socket_path: str,
        access_logs: s3.IBucket,
        lake: s3.IBucket,
        web_dist: Path = WEB_DIST,
    ) -> None:
        super().__init__(scope, id)
        # Media panels load presigned GETs straight from the lake bucket (never through the API), under
        # its global or regional name, whichever the SDK's signer picked.
        self.csp = dashboard_csp(
            [f"https://{lake.bucket_domain_name}", f"https://{lake.bucket_regional_domain_name}"]
        )
        # The site is a build output that is redeployed from web/dist, so it is never retained.
        self.bucket = private_bucket(
            self,
            "Bucket",
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="site/",
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=True,
        )
        spa_rewrite = cloudfront.Function(
            self,
            "SpaRewrite",
            code=cloudfront.FunctionCode.from_inline(SPA_REWRITE_JS),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
            comment="Serve index.html for client-side routes",
        )
        api_origin = origins.HttpOrigin(
            api_domain,
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        )
        # The socket's handshake is a GET whose headers (cookie, Origin, Sec-WebSocket-*) and query
        # string must all reach API Gateway, as an API request's do.
        socket_origin = origins.HttpOrigin(
            socket_domain,
            protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
        )
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="wanLLMDB web app and API",
            default_root_object="index.html",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self._dashboard_headers(),
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=spa_rewrite, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors={
                socket_path: cloudfront.BehaviorOptions(
                    origin=socket_origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                ),
                "/api/*": cloudfront.BehaviorOptions(
                    origin=api_origin,
                    viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                    allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                    cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                    # API Gateway routes on its own Host name, so the viewer's Host must not be forwarded.
                    origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                ),
            },
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
            price_class=cloudfront.PriceClass.PRICE_CLASS_100,
            enable_logging=True,
            log_bucket=access_logs,
            log_file_prefix="cloudfront/",
        )
        NagSuppressions.add_resource_suppressions(
            self.distribution,
            [
                NagPackSuppression(
                    id="AwsSolutions-CFR1",
                    reason="No geo restriction: teams log from anywhere; "
                    "access is controlled by API keys and sessions.",
                ),
                NagPackSuppression(
                    id="AwsSolutions-CFR2",
                    reason="WAF is optional per tenant (cost); the API "
                    "is throttled at API Gateway and every route is authenticated in the app.",
                ),
                NagPackSuppression(
                    id="AwsSolutions-CFR4",
                    reason="Uses the default *.cloudfront.net "
                    "certificate, for which CloudFront fixes the viewer TLS policy; a custom "
                    "domain with TLSv1.2_2021 is a per-tenant addition.",
                ),
            ],
        )
        self._deploy_web_dist(web_dist, runtime_config(socket_path))

    def _dashboard_headers(self) -> cloudfront.ResponseHeadersPolicy:
        """The dashboard's CSP and the rest of its security headers: the same values the embedded
        server sends (wanllmdb_functions.core.security_headers), so both serve one policy."""
        frame = cloudfront.HeadersFrameOption.DENY
        return cloudfront.ResponseHeadersPolicy(
            self,
            "DashboardHeaders",
            comment="wanLLMDB dashboard: strict CSP, nosniff, no framing, no referrer",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=self.csp, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(frame_option=frame, override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.NO_REFERRER, override=True
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.days(365), include_subdomains=True, override=True
                ),
            ),
        )

    def _deploy_web_dist(self, web_dist: Path, config: dict[str, str]) -> None:
        if not (web_dist / "index.html").is_file():
            Annotations.of(self).add_warning_v2(
                "wanllmdb:no-web-dist",
                f"{web_dist} has no index.html, so the web app is not deployed; run `make web-build` "
                "first to include it.",
            )
            return
        s3deploy.BucketDeployment(
            self,
            "DeployWebDist",
            sources=[s3deploy.Source.asset(str(web_dist)), s3deploy.Source.json_data(RUNTIME_CONFIG, config)],
            destination_bucket=self.bucket,
            distribution=self.distribution,
            distribution_paths=["/*"],
            memory_limit=512,
        )
