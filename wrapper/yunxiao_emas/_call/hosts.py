"""The default host of each operation, in a module of its own so that the command line can
name them in ``--help`` without importing the client (and httpx)."""

SIGNED_API_HOST = "devops.cn-hangzhou.aliyuncs.com"
"""GetPipelineEmasArtifactUrl, the signed API (central edition, region cn-hangzhou)."""
PAT_API_HOST = "openapi-rdc.aliyuncs.com"
"""GetEmasArtifactDownloadUrl, the token API (central edition)."""
