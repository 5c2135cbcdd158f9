"""Glue tables over the lake and an Athena workgroup, so analysts query it with SQL in place.

Columns come from schemas/lake_schema.json (loaded, never copied), as do the partition columns and the
location template, so a schema change reaches Athena on the next deploy.

Partitions use projection, not registration: stream is an `enum` (the schema's streams), project and run
are `injected`. Project and run ids are unbounded and chosen at run time, so neither an enum nor a range
can describe them, and registering each run's partitions would need a crawler or an extra write on every
run create. The price of `injected` is that a query must pin them with equality or IN, e.g.
`WHERE project = '…' AND run IN ('…', '…')`; whole-lake scans go through DuckDB or Polars over the same
Hive layout instead.
"""

from __future__ import annotations

import json
import posixpath
import re
from typing import Any

from aws_cdk import Duration, RemovalPolicy, Stack
from aws_cdk import aws_athena as athena
from aws_cdk import aws_glue as glue
from aws_cdk import aws_s3 as s3
from constructs import Construct

from infra_cdk.bundle import LAKE_SCHEMA
from infra_cdk.config import TenantConfig
from infra_cdk.lake import private_bucket

__all__ = ["Analytics", "glue_columns", "load_lake_schema", "location_template"]

_PARQUET_SERDE = "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
_PARQUET_INPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat"
_PARQUET_OUTPUT = "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat"


def load_lake_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(LAKE_SCHEMA.read_text())
    return schema


def glue_columns(columns: list[dict[str, Any]]) -> list[glue.CfnTable.ColumnProperty]:
    return [
        glue.CfnTable.ColumnProperty(name=c["name"], type=c["glue"], comment=c["doc"][:255]) for c in columns
    ]


def location_template(layout_key: str) -> tuple[str, list[str]]:
    """`metrics/project={project}/run={run}/stream={stream}/chunk-…` → the directory as a projection
    template (`metrics/project=${project}/…/`) and its partition columns in order."""
    directory = posixpath.dirname(layout_key)
    partitions = re.findall(r"\{(\w+)\}", directory)
    return re.sub(r"\{(\w+)\}", r"${\1}", directory) + "/", partitions


class Analytics(Construct):
    def __init__(
        self, scope: Construct, id: str, *, config: TenantConfig, lake: s3.IBucket, access_logs: s3.IBucket
    ) -> None:
        super().__init__(scope, id)
        schema = load_lake_schema()
        account = Stack.of(self).account
        self.database_name = f"wanllmdb_{config.tenant.replace('-', '_')}"
        database = glue.CfnDatabase(
            self,
            "Database",
            catalog_id=account,
            database_input=glue.CfnDatabase.DatabaseInputProperty(
                name=self.database_name, description=f"wanLLMDB metric lake of tenant {config.tenant}"
            ),
        )
        metrics_template, metric_partitions = location_template(schema["layout"]["metric_chunk"])
        if metric_partitions != schema["layout"]["partitions"]:
            raise ValueError(
                f"schemas/lake_schema.json: layout.partitions {schema['layout']['partitions']} "
                f"does not match the metric_chunk path's {metric_partitions}"
            )
        logs_template, log_partitions = location_template(schema["layout"]["log_chunk"])
        lod_template, lod_partitions = location_template(schema["layout"]["metric_lod"])
        runs_template, runs_partitions = location_template(schema["layout"]["run_index"])
        self.tables = {
            "metrics": self._table(
                "MetricsTable",
                "metrics",
                database,
                lake,
                schema["metric_columns"],
                metric_partitions,
                metrics_template,
                {"stream": schema["streams"]},
            ),
            "logs": self._table(
                "LogsTable",
                "logs",
                database,
                lake,
                schema["log_columns"],
                log_partitions,
                logs_template,
                {},
            ),
            # Each compacted stream's level-of-detail pyramid: min/max/sum/count per key and step bucket.
            "lod": self._table(
                "LodTable",
                "lod",
                database,
                lake,
                schema["lod_columns"],
                lod_partitions,
                lod_template,
                {"stream": schema["streams"]},
            ),
            # Which run is which: names, state, tags, times, config and summary, to join with metrics.run.
            "runs": self._table(
                "RunsTable",
                "runs",
                database,
                lake,
                schema["run_index_columns"],
                runs_partitions,
                runs_template,
                {},
            ),
        }

        # Athena query results are disposable; they expire after a month.
        self.results_bucket = private_bucket(
            self,
            "ResultsBucket",
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="athena-results/",
            lifecycle_rules=[s3.LifecycleRule(id="expire-query-results", expiration=Duration.days(30))],
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=True,
        )
        self.workgroup = athena.CfnWorkGroup(
            self,
            "WorkGroup",
            name=config.stack_name,
            description=f"wanLLMDB lake queries for tenant {config.tenant}",
            recursive_delete_option=True,
            work_group_configuration=athena.CfnWorkGroup.WorkGroupConfigurationProperty(
                # One careless query must not scan (and bill) the whole lake.
                bytes_scanned_cutoff_per_query=config.athena_bytes_scanned_limit,
                enforce_work_group_configuration=True,
                publish_cloud_watch_metrics_enabled=True,
                engine_version=athena.CfnWorkGroup.EngineVersionProperty(
                    selected_engine_version="Athena engine version 3"
                ),
                result_configuration=athena.CfnWorkGroup.ResultConfigurationProperty(
                    output_location=f"s3://{self.results_bucket.bucket_name}/results/",
                    encryption_configuration=athena.CfnWorkGroup.EncryptionConfigurationProperty(
                        encryption_option="SSE_S3"
                    ),
                ),
            ),
        )

    def _table(
        self,
        id: str,
        name: str,
        database: glue.CfnDatabase,
        lake: s3.IBucket,
        columns: list[dict[str, Any]],
        partitions: list[str],
        template: str,
        enums: dict[str, list[str]],
    ) -> glue.CfnTable:
        parameters = {
            "classification": "parquet",
            "EXTERNAL": "TRUE",
            "projection.enabled": "true",
            "storage.location.template": f"s3://{lake.bucket_name}/{template}",
        }
        for partition in partitions:
            if partition in enums:
                parameters[f"projection.{partition}.type"] = "enum"
                parameters[f"projection.{partition}.values"] = ",".join(enums[partition])
            else:
                parameters[f"projection.{partition}.type"] = "injected"
        table = glue.CfnTable(
            self,
            id,
            catalog_id=database.catalog_id,
            database_name=self.database_name,
            table_input=glue.CfnTable.TableInputProperty(
                name=name,
                table_type="EXTERNAL_TABLE",
                parameters=parameters,
                partition_keys=[glue.CfnTable.ColumnProperty(name=p, type="string") for p in partitions],
                storage_descriptor=glue.CfnTable.StorageDescriptorProperty(
                    columns=glue_columns(columns),
                    location=f"s3://{lake.bucket_name}/{template.split('/')[0]}/",
                    input_format=_PARQUET_INPUT,
                    output_format=_PARQUET_OUTPUT,
                    serde_info=glue.CfnTable.SerdeInfoProperty(serialization_library=_PARQUET_SERDE),
                ),
            ),
        )
        table.node.add_dependency(database)
        return table
