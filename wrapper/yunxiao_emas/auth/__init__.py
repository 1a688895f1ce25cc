"""How a request proves who sends it: one ``httpx.Auth`` a kind of credentials.

- :class:`~yunxiao_emas.auth.acs3.AcsV3Auth`: the ACS3-HMAC-SHA256 signature of an AccessKey
  (GetPipelineEmasArtifactUrl, 2021-06-25);
- :class:`~yunxiao_emas.auth.token.TokenAuth`: a personal access token in ``x-yunxiao-token``
  (Yunxiao's newer OpenAPI).
"""

from __future__ import annotations

from .acs3 import AcsV3Auth
from .token import TokenAuth

__all__ = ["AcsV3Auth", "TokenAuth"]
