"""One tenant's whole deployment: lake, table, functions, API, site, analytics, triggers and alarms."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Stack, Tags
from constructs import Construct

from infra_cdk.alarms import Alarms
from infra_cdk.analytics import Analytics
from infra_cdk.collab_socket import SOCKET_PATH, CollabSocketApi
from infra_cdk.config import TenantConfig
from infra_cdk.custom_resources import suppress_cdk_managed_functions
from infra_cdk.http_api import HttpApi
from infra_cdk.lake import AccessLogBucket, LakeBucket
from infra_cdk.lambda_code import refuse_deploy_of_synth_check
from infra_cdk.login import CognitoLogin, login_environment
from infra_cdk.service_functions import ServiceFunctions
from infra_cdk.services import SERVICES
from infra_cdk.site import WEB_DIST, StaticSite
from infra_cdk.table import MetadataTable
from infra_cdk.triggers import CompactionQueue, NotificationQueue, ReaperSchedule

__all__ = ["TenantStack"]


class TenantStack(Stack):
    def __init__(
        self, scope: Construct, id: str, *, config: TenantConfig, web_dist: Path = WEB_DIST, **kwargs: Any
    ) -> None:
        description = f"wanLLMDB tenant {config.tenant}"
        if not config.bundle:
            description = f"SYNTH-CHECK ONLY, NOT DEPLOYABLE: {description}"
        super().__init__(scope, id, description=description, **kwargs)
        Tags.of(self).add("wanllmdb:tenant", config.tenant)
        if not config.bundle:
            refuse_deploy_of_synth_check(self)

        access_logs = AccessLogBucket(self, "AccessLogs", config=config).bucket
        lake_bucket = LakeBucket(self, "LakeBucket", config=config, access_logs=access_logs)
        lake = lake_bucket.bucket
        table = MetadataTable(self, "MetadataTable", config=config)
        compaction = CompactionQueue(self, "Compaction", lake=lake)
        notifications = NotificationQueue(self, "Notifications")
        api = HttpApi(self, "HttpApi", config=config)
        collab_socket = CollabSocketApi(self, "CollabSocket", config=config)
        # The site comes first: the sign-in callback is one of its URLs (CloudFront sends /api/* on
        # to the API, /collab-ws to the socket), and the functions are told it.
        site = StaticSite(
            self,
            "Site",
            api_domain=api.domain_name,
            socket_domain=collab_socket.domain_name,
            socket_path=SOCKET_PATH,
            access_logs=access_logs,
            lake=lake,
            web_dist=web_dist,
        )
        site_url = f"https://{site.distribution.distribution_domain_name}"
        cognito = (
            CognitoLogin(self, "Login", config=config, site_url=site_url)
            if config.login == "cognito"
            else None
        )
        functions = ServiceFunctions(
            self,
            "Functions",
            config=config,
            table=table,
            lake=lake,
            compaction_queue=compaction.queue,
            notification_queue=notifications.queue,
            public_url=api.url,
            site_url=site_url,
            collab_socket=collab_socket,
            login_environment=login_environment(config, cognito_login=cognito, site_url=site_url),
            lake_key=lake_bucket.key,
        )
        fns = functions.functions
        # Every function with HTTP routes gets them; identity also answers unknown paths.
        for spec in SERVICES:
            if spec.routes:
                api.route(spec, fns[spec.name], default=spec.name == "identity")
            if spec.websocket:
                collab_socket.attach(fns[spec.name])
        compaction.attach_consumer(fns["compaction"])
        notifications.attach_consumer(fns["notify"])
        ReaperSchedule(self, "Reaper", reaper=fns["reaper"])
        Analytics(self, "Analytics", config=config, lake=lake, access_logs=access_logs)
        Alarms(
            self,
            "Alarms",
            config=config,
            api=api.api,
            functions=fns,
            dead_letters=compaction.dead_letters,
            notification_dead_letters=notifications.dead_letters,
        )
        suppress_cdk_managed_functions(self)

        CfnOutput(self, "ApiUrl", value=api.url, description="Set WANLLMDB_BASE_URL to this for the SDK/CLI")
        CfnOutput(self, "SiteUrl", value=site_url)
        if cognito is not None:
            users = "Add users with `aws cognito-idp admin-create-user --user-pool-id …`"
            CfnOutput(self, "UserPoolId", value=cognito.user_pool.user_pool_id, description=users)
        CfnOutput(self, "BucketName", value=lake.bucket_name)
        CfnOutput(self, "TableName", value=table.table.table_name)
