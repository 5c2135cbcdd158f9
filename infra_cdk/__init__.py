"""The per-tenant AWS CDK app for wanLLMDB: one `TenantStack` per tenant (`cdk deploy -c tenant=NAME`).

Modules, one concern each: `config` (context → typed settings), `services` (what each Lambda serves and
may touch), `bundle` (pip packaging without Docker), `lambda_code`, `lake`, `table`, `service_functions`,
`http_api`, `site`, `analytics`, `compaction`, `alarms`, and `tenant_stack`, which wires them together.
"""
