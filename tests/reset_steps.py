"""Steps the password reset tests share: the emailed link, its preview, the reset itself, and
recovering notes a reset locked."""

from __future__ import annotations

from typing import Any

from tests.mailbox import Mailbox, token_in

NEW_PASSWORD = "a fresh new passphrase"
USER_ERRORS = "userErrors { field message code }"

REQUEST_RESET = """
mutation($input: RequestPasswordResetInput!) {
  requestPasswordReset(input: $input) { accepted }
}"""
PREVIEW = """
query($token: String!) { passwordResetPreview(token: $token) { valid notesAtStake } }"""
RESET = f"""
mutation($input: ResetPasswordInput!) {{
  resetPassword(input: $input) {{
    passwordChanged notesKept notesMessage noteRecoveryKey {USER_ERRORS}
  }}
}}"""
RECOVER = f"""
mutation($input: RecoverOldNotesInput!) {{
  recoverOldNotes(input: $input) {{ notesRecovered {USER_ERRORS} }}
}}"""


async def reset_link(api: Any, mailbox: Mailbox, email: str) -> str:
    """The token of a new reset link, read from the email as delivered over SMTP."""
    await api.data(REQUEST_RESET, {"input": {"email": email}})
    await mailbox.deliver()
    return token_in(mailbox.last(email))


async def preview(api: Any, token: str) -> dict[str, Any]:
    return await api(PREVIEW, {"token": token})


async def reset(api: Any, token: str, **more: Any) -> dict[str, Any]:
    return (await api.data(RESET, {"input": {"token": token, "newPassword": NEW_PASSWORD,
                                             **more}}))["resetPassword"]


async def recover(api: Any, token: str, recovery_key: str) -> dict[str, Any]:
    return (await api.data(RECOVER, {"input": {"noteRecoveryKey": recovery_key}}, token=token)
            )["recoverOldNotes"]


def error_codes(payload: dict[str, Any]) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in payload["userErrors"]]
