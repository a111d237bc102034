"""Owner notifications: a JSON POST to a webhook (works with chat-bot webhooks) and/or an
e-mail over SMTP, both optional. A failed notification is logged in the run, never fatal:
the queue and the reports are still in the work directory."""

import json
import smtplib
from email.message import EmailMessage
from typing import Any

import httpx

from agent.masking import masked_url_setting, redact

EVENTS = {
    "approvals_waiting": "{count} action(s) wait for your approval",
    "run_failed": "a run failed: {error}",
    "steps_failed": "{count} step(s) of run {run_id} failed and need you; the first: {first}",
    "run_stopped": "a run stopped: {reason}",
    "report_ready": "the sales report is ready: {path}",
}


def notify(settings, event: str, details: dict[str, Any]) -> list[str]:
    """Send `event` to every configured channel; returns the problems met (empty if none).
    Secrets of the settings are hidden in what is sent (an error may quote a URL) and in the
    problems returned (an HTTP error quotes the webhook's URL, token and all)."""
    details = {key: redact(settings, value) if isinstance(value, str) else value for key, value in details.items()}
    text = f"[{settings.notify_shop_label or 'shopagent'}] " + EVENTS[event].format(**details)
    payload = {"event": event, "text": text, "details": details}
    problems = []
    if settings.notify_webhook_url:
        try:
            response = httpx.post(settings.notify_webhook_url, json=payload, timeout=10)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            problems.append(f"webhook {masked_url_setting(settings, 'notify_webhook_url')}: {exc}")
    if settings.notify_email_to and settings.smtp_host:
        try:
            _send_mail(settings, text, payload)
        except (OSError, smtplib.SMTPException) as exc:
            problems.append(f"e-mail via {settings.smtp_host}:{settings.smtp_port}: {exc}")
    return [redact(settings, problem) for problem in problems]


def _send_mail(settings, subject: str, payload: dict[str, Any]) -> None:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.smtp_from or settings.notify_email_to
    message["To"] = settings.notify_email_to
    message.set_content(json.dumps(payload, indent=2, ensure_ascii=False, default=str))
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value() if settings.smtp_password else "")
        smtp.send_message(message)
