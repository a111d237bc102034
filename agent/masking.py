"""Secrets kept out of everything shopagent shows or sends: `config show`, the console, run
summaries and step errors, notifications, logs. Settings' SecretStr values are secrets, and
so are the passwords and query values inside its URLs and the whole path of the webhook
URL (a chat-bot webhook's token is usually in its path: whoever has the URL can post)."""

from urllib.parse import unquote, urlsplit

HIDDEN = "****"
# Settings whose value is an address that may carry credentials.
URL_SETTINGS = ("database_url", "llm_base_url", "marketplace_url", "notify_webhook_url")
# A secret shorter than this is not searched for in free text: replacing every "ab" would
# garble the message and give the secret away anyway.
MIN_SECRET_CHARS = 4
# Query parameters whose value is a secret, by a word in their name.
SECRET_KEY_WORDS = ("token", "key", "secret", "pass", "pwd", "sig", "auth", "credential", "session")


def mask_url(url: str | None, hide_path: bool = False) -> str | None:
    """`url` with its password, query values and fragment hidden (and its path, when
    `hide_path`): postgresql://shop:****@db/shop, https://hooks.example/****?key=****."""
    if not url:
        return url
    parts = urlsplit(url)
    if not parts.scheme or "://" not in url:
        return HIDDEN if hide_path else url
    netloc = parts.netloc
    userinfo, at, host = netloc.rpartition("@")
    if at:
        user, colon, _ = userinfo.partition(":")
        # A user alone (postgresql://shop@db) names no secret; a lone token before @ does.
        netloc = f"{user}:{HIDDEN}@{host}" if colon else (f"{HIDDEN}@{host}" if hide_path else netloc)
    path = f"/{HIDDEN}" if hide_path and parts.path not in ("", "/") else parts.path
    query = "&".join(f"{key}={HIDDEN}" if value in _secret_values(parts.query, hide_path) else pair
                     for pair in parts.query.split("&") for key, _, value in [pair.partition("=")]) \
        if parts.query else ""
    return (f"{parts.scheme}://{netloc}{path}" + (f"?{query}" if query else "")
            + (f"#{HIDDEN}" if parts.fragment else ""))


def _secret_values(query: str, every: bool) -> set[str]:
    """The values of a query string that are secrets: all of them when `every` (a webhook's),
    else those under a name such as token, key, password or signature (not sslmode=require)."""
    pairs = [pair.partition("=") for pair in query.split("&")] if query else []
    return {value for key, _, value in pairs
            if value and (every or any(word in key.lower() for word in SECRET_KEY_WORDS))}


def _token_like(segment: str) -> bool:
    """A webhook path segment that looks like a token or an id, not a word like 'services'."""
    return len(segment) >= 16 or (len(segment) >= 8 and any(c.isdigit() for c in segment))


def masked_url_setting(settings, name: str) -> str | None:
    """The URL setting `name` as it may be shown."""
    return mask_url(getattr(settings, name), hide_path=name == "notify_webhook_url")


def secrets_of(settings) -> list[str]:
    """Every secret string the settings hold, longest first, each also URL-decoded."""
    found: set[str] = set()
    for name in getattr(type(settings), "model_fields", {}):
        value = getattr(settings, name)
        if hasattr(value, "get_secret_value"):
            found.add(value.get_secret_value())
    for login in (getattr(settings, "platform_logins", None) or {}).values():  # other platforms' logins
        if login.password is not None:
            found.add(login.password.get_secret_value())
        found.add(urlsplit(login.url or "").password or "")
    for name in URL_SETTINGS:
        url = getattr(settings, name, None)
        if not url:
            continue
        parts = urlsplit(url)
        webhook = name == "notify_webhook_url"
        found.add(parts.password or "")
        found |= _secret_values(parts.query, every=webhook)
        if webhook:
            found.update(segment for segment in parts.path.split("/") if _token_like(segment))
            found.add(parts.fragment)
            if parts.username and not parts.password:
                found.add(parts.username)
    found |= {unquote(secret) for secret in found}
    return sorted((s for s in found if len(s) >= MIN_SECRET_CHARS), key=len, reverse=True)


def redact(settings, text: str) -> str:
    """`text` with every secret of `settings` replaced by ****: for error messages and logs
    that may quote a URL, a header or a driver's answer."""
    if not text or settings is None:
        return text
    for name in URL_SETTINGS:  # whole URLs first, so what is left of them still reads well
        url = getattr(settings, name, None)
        if url:
            masked = masked_url_setting(settings, name)
            assert masked is not None, "a URL that is set masks to text"
            text = text.replace(url, masked)
    for secret in secrets_of(settings):
        text = text.replace(secret, HIDDEN)
    return text
