"""Write or check schemas/glue_metrics_table.json: the Glue metrics table, from lake_schema.json.

    python -m tools.glue_table --write   # after changing schemas/lake_schema.json
    python -m tools.glue_table --check   # exit 1 when the file has drifted

The file is a `TableInput` for `aws glue create-table --database-name DB --table-input file://…` with
the bucket left as `${LakeBucket}`. It matches the CDK's Analytics construct (infra_cdk/analytics.py):
partition projection with `stream` as an enum and `project`/`run` injected, so an Athena query pins
project and run with equality or IN.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

__all__ = ["GLUE_TABLE_PATH", "LAKE_SCHEMA_PATH", "glue_table_input", "main"]

_ROOT = Path(__file__).resolve().parents[1]
LAKE_SCHEMA_PATH = _ROOT / "schemas" / "lake_schema.json"
GLUE_TABLE_PATH = _ROOT / "schemas" / "glue_metrics_table.json"


def glue_table_input(schema: dict[str, Any], *, bucket: str = "${LakeBucket}") -> dict[str, Any]:
    layout = schema["layout"]
    directory = layout["metric_chunk"].rsplit("/", 1)[0]
    partitions = re.findall(r"\{(\w+)\}", directory)
    if partitions != layout["partitions"]:
        raise ValueError(f"layout.partitions {layout['partitions']} do not match metric_chunk's {partitions}")
    template = re.sub(r"\{(\w+)\}", r"${\1}", directory)
    projection: dict[str, str] = {"projection.enabled": "true"}
    for name in partitions:
        if name == "stream":
            projection["projection.stream.type"] = "enum"
            projection["projection.stream.values"] = ",".join(schema["streams"])
        else:
            projection[f"projection.{name}.type"] = "injected"
    return {
        "Name": "metrics",
        "Description": "wanLLMDB metric rows (long format), one Parquet object per chunk or compacted stream",
        "TableType": "EXTERNAL_TABLE",
        "Parameters": {
            "classification": "parquet",
            "EXTERNAL": "TRUE",
            "storage.location.template": f"s3://{bucket}/{template}/",
            **projection,
        },
        "PartitionKeys": [{"Name": name, "Type": "string"} for name in partitions],
        "StorageDescriptor": {
            "Columns": [
                {"Name": c["name"], "Type": c["glue"], "Comment": c["doc"][:255]}
                for c in schema["metric_columns"]
            ],
            "Location": f"s3://{bucket}/{directory.split('/', 1)[0]}/",
            "InputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
            "OutputFormat": "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
            "SerdeInfo": {
                "SerializationLibrary": "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe"
            },
        },
    }


def render() -> str:
    schema = json.loads(LAKE_SCHEMA_PATH.read_text())
    return json.dumps(glue_table_input(schema), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = render()
    if args.write:
        GLUE_TABLE_PATH.write_text(text)
        print(f"wrote {GLUE_TABLE_PATH}")
        return 0
    if not GLUE_TABLE_PATH.is_file() or GLUE_TABLE_PATH.read_text() != text:
        print(f"{GLUE_TABLE_PATH} is out of date: run python -m tools.glue_table --write")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
