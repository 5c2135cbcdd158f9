from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from infra_cdk.config import ConfigError, TenantConfig


def config(**context: Any) -> TenantConfig:
    return TenantConfig.from_context(context.get)


def test_missing_tenant_names_the_context_key_and_the_fix():
    with pytest.raises(ConfigError, match=r"tenant: missing.*-c tenant=acme"):
        config()


@pytest.mark.parametrize("bad", ["Acme", "a", "9lives", "acme-", "a_b", "x" * 25, "acme corp"])
def test_tenant_names_that_are_not_dns_safe_are_refused(bad: str):
    with pytest.raises(ConfigError, match="tenant:"):
        config(tenant=bad)


def test_defaults_keep_data_and_bundle_for_deploy():
    cfg = config(tenant="acme")
    assert cfg.stack_name == "wanllmdb-acme"
    assert cfg.bundle is True
    assert cfg.destroy_data is False


@pytest.mark.parametrize(
    ("raw", "expected"), [("false", False), ("0", False), (False, False), ("true", True)]
)
def test_booleans_accept_command_line_strings_and_json_values(raw: Any, expected: bool):
    assert config(tenant="acme", bundle=raw).bundle is expected


def test_a_boolean_that_is_not_one_is_refused_with_its_key():
    with pytest.raises(ConfigError, match=r"destroy_data: 'yes please' is not a boolean"):
        config(tenant="acme", destroy_data="yes please")


def test_log_retention_must_be_a_cloudwatch_period():
    assert config(tenant="acme", log_retention_days="90").log_retention_days == 90
    with pytest.raises(ConfigError, match="log_retention_days: 31 is not a CloudWatch retention period"):
        config(tenant="acme", log_retention_days="31")


def test_cors_origins_are_parsed_and_paths_refused():
    cfg = config(tenant="acme", cors_origins="https://ml.example.com, http://localhost:5173")
    assert cfg.cors_origins == ("https://ml.example.com", "http://localhost:5173")
    with pytest.raises(ConfigError, match=r"cors_origins: 'https://ml\.example\.com/app' is not an origin"):
        config(tenant="acme", cors_origins="https://ml.example.com/app")


def test_athena_limit_respects_athenas_minimum():
    with pytest.raises(ConfigError, match="athena_bytes_scanned_limit: at least 10000000"):
        config(tenant="acme", athena_bytes_scanned_limit="1000")


def test_throttling_must_be_positive():
    with pytest.raises(ConfigError, match="api_rate_limit: 0 must be a positive integer"):
        config(tenant="acme", api_rate_limit="0")


def test_the_cdk_app_exits_with_the_config_error_not_a_traceback():
    env = {k: v for k, v in os.environ.items() if not k.startswith("CDK_")}
    env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    result = subprocess.run(
        [sys.executable, "-m", "infra_cdk.app"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "wanllmdb cdk: tenant: missing" in result.stderr
    assert "Traceback" not in result.stderr
