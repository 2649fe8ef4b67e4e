"""Client notes: the professional's notes key pair, and the unlocked key held per sign-in.

Nothing here can be opened with the database alone, nor with the database plus the server's
SECRET_KEY: the private key is stored only wrapped under the password (argon2id), the recovery
key (shown once) or a key derived from a bearer token (never stored). See docs/SECURITY.md.
"""

from __future__ import annotations

from uuid import UUID, uuid4

from tortoise import fields
from tortoise.models import Model


class ProfessionalKeys(Model):
    """One per professional: the public key in the clear, the private key only wrapped.

    `key_version` grows with every new key pair (rotation, reset without the recovery key);
    every sealed note is tagged with the version it was sealed to. Writers change this row with
    `UPDATE ... WHERE key_version = <the version they read>` and check the row count, so two
    concurrent changes cannot both win.
    """

    id = fields.UUIDField(primary_key=True, default=uuid4)
    account: fields.OneToOneRelation = fields.OneToOneField(
        "accounts.Account", related_name=False, on_delete=fields.CASCADE
    )
    account_id: UUID
    key_version = fields.IntField(default=1)
    public_key = fields.BinaryField()
    password_wrapped = fields.BinaryField()
    password_salt = fields.BinaryField()
    kdf_ops_limit = fields.IntField()
    kdf_mem_limit = fields.BigIntField()
    """argon2id limits the password wrap was made with (memory in bytes); raised on login."""
    recovery_wrapped = fields.BinaryField()
    key_created_at = fields.DatetimeField()
    password_wrapped_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "professional_keys"


class HeldNoteKey(Model):
    """The professional's private key, wrapped under a key derived from a bearer token.

    Abstract: each kind of holder has its own table, so the wrap is deleted with its holder
    (a cascade on one foreign key) and a token of one kind can never unwrap the other's.
    """

    account: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, on_delete=fields.CASCADE
    )
    account_id: UUID
    key_version = fields.IntField()
    wrapped = fields.BinaryField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        abstract = True


class SessionNoteKey(HeldNoteKey):
    """The private key for one login session, wrapped under a key derived from its token.

    Deleted on logout and with its session; useless once the session is revoked or expired,
    since no request can authenticate with that token any more.
    """

    id = fields.UUIDField(primary_key=True, default=uuid4)
    login_session: fields.OneToOneRelation = fields.OneToOneField(
        "accounts.LoginSession", related_name=False, on_delete=fields.CASCADE
    )
    login_session_id: UUID

    class Meta:
        table = "session_note_key"
        indexes = (("account_id",),)


class ChallengeNoteKey(HeldNoteKey):
    """The private key between a correct password and a correct second factor.

    Wrapped under the challenge token, because the password is no longer known when the second
    factor completes the sign-in; moved to the session, then deleted.
    """

    id = fields.UUIDField(primary_key=True, default=uuid4)
    challenge: fields.OneToOneRelation = fields.OneToOneField(
        "accounts.SecondFactorChallenge", related_name=False, on_delete=fields.CASCADE
    )
    challenge_id: UUID

    class Meta:
        table = "challenge_note_key"
        indexes = (("account_id",),)


class Note(Model):
    """A professional's note about a client, sealed so that only its author can read it.

    Title and body are one sealed blob (crypto/notes.py) with the note's, client's and
    author's ids sealed inside, so a blob copied to another row is detected when read. No
    plaintext is stored, not even a length or a title hint: only who, about whom, which day,
    which session, which key version, and when it was written.
    """

    id = fields.UUIDField(primary_key=True, default=uuid4)
    author: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, on_delete=fields.CASCADE
    )
    """Cascade: without the author's key nobody can read the note anyway."""
    author_id: UUID
    client: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, on_delete=fields.RESTRICT
    )
    client_id: UUID
    session: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "scheduling.Session", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    session_id: UUID | None
    about_date = fields.DateField()
    """The day the note is about (a session's day, usually), in the professional's reckoning."""
    sealed = fields.BinaryField()
    key_version = fields.IntField()
    """The author's key version the note is sealed to; rotation re-seals rows of the old one."""
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "note"
        indexes = (("author_id", "client_id", "about_date"), ("author_id", "key_version"),
                   ("client_id",), ("session_id",))


class RetiredNoteKey(Model):
    """A key pair replaced by a password reset without its recovery key, kept for that key.

    Only the public key and the recovery wrap are kept (the password wrap opened with the
    forgotten password, so it is useless). If the professional finds the old recovery key
    again, `recoverOldNotes` opens the old private key with it and re-seals that version's
    notes to the current key; the row is deleted then. Without the recovery key it opens
    nothing, for us as for anyone who copies the database.
    """

    id = fields.UUIDField(primary_key=True, default=uuid4)
    account: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "accounts.Account", related_name=False, on_delete=fields.CASCADE
    )
    account_id: UUID
    key_version = fields.IntField()
    """The version the notes sealed to this key carry."""
    public_key = fields.BinaryField()
    recovery_wrapped = fields.BinaryField()
    key_created_at = fields.DatetimeField()
    retired_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "retired_note_key"
        unique_together = (("account", "key_version"),)
