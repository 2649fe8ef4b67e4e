"""The authorization matrix: for every root field of the schema and every plain HTTP route, what
each of five callers gets when asking about practice A's objects (tests/authorization_world.py).

One dict per case. `query` names exactly one root field (its first selection); `variables`
values starting with "@" are practice A's objects by kind (World.ids), swapped for objects that
do not exist to check that a refusal looks the same as a miss (`"link": True` for a case whose
id is a link anyone may hold, where that check does not apply). Add a case for each new root
field: tests/test_authorization_matrix.py fails, naming the field, until one exists.
"""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, NameNode, OperationDefinitionNode, SelectionSetNode, parse, print_ast

from tests.authorization_outcomes import (
    ALLOWED,
    EMPTY,
    NOT_APPLICABLE,
    PUBLIC,
    Outcome,
    refused,
    status,
    user_error,
)
from tests.helpers import CURRENT_TERMS, PASSWORD

Case = dict[str, Any]

SIGNED_OUT = refused("UNAUTHENTICATED")
NOT_YOURS = user_error("NOT_FOUND")
NOT_A_PROFESSIONAL = refused("NOT_ALLOWED")


def anyone(outcome: Outcome) -> dict[str, Outcome]:
    """The same for every caller: public, or about the caller alone."""
    return {"signed_out": outcome, "unrelated_client": outcome, "owning_client": outcome,
            "unrelated_professional": outcome, "owning_professional": outcome}


def own_account(signed_out: Outcome = SIGNED_OUT,
                signed_in: Outcome = ALLOWED) -> dict[str, Outcome]:
    """About the signed-in person only: no other person's object can be named."""
    return {"signed_out": signed_out, "unrelated_client": signed_in,
            "owning_client": signed_in, "unrelated_professional": signed_in,
            "owning_professional": signed_in}


def professional_only(owner: Outcome = NOT_APPLICABLE, *, client: Outcome = NOT_A_PROFESSIONAL,
                      stranger: Outcome = NOT_YOURS,
                      signed_out: Outcome = SIGNED_OUT) -> dict[str, Outcome]:
    """A professional's action on their own practice's object."""
    return {"signed_out": signed_out, "unrelated_client": client, "owning_client": client,
            "unrelated_professional": stranger, "owning_professional": owner}


def owners(outcome: Outcome, *, strangers: Outcome,
           signed_out: Outcome = SIGNED_OUT) -> dict[str, Outcome]:
    """Both people of the engagement may; nobody else."""
    return {"signed_out": signed_out, "unrelated_client": strangers, "owning_client": outcome,
            "unrelated_professional": strangers, "owning_professional": outcome}


def the_professional(outcome: Outcome, *, others: Outcome,
                     signed_out: Outcome = SIGNED_OUT) -> dict[str, Outcome]:
    """Only the owning professional; the client and strangers alike get `others`."""
    return {"signed_out": signed_out, "unrelated_client": others, "owning_client": others,
            "unrelated_professional": others, "owning_professional": outcome}


def case(query: str, outcomes: dict[str, Outcome], **variables: Any) -> Case:
    return {"query": query, "variables": variables, **outcomes}


QUERIES: dict[str, Case] = {
    "viewer": case("{ viewer { id email accessLog(first: 5) { edges { node { kind } } } } }",
                   own_account(signed_out=EMPTY)),
    "passwordResetPreview": case(
        "query($t: String!) { passwordResetPreview(token: $t) { valid } }",
        anyone(ALLOWED), t="A" * 43),
    "legalDocuments": case("{ legalDocuments { termsVersion } }", anyone(ALLOWED)),
    "externalSignInProviders": case("{ externalSignInProviders { enabled } }", anyone(ALLOWED)),
    "linkedExternalIdentities": case("{ linkedExternalIdentities { provider } }",
                                     own_account(signed_in=EMPTY)),
    "practice": case(
        "{ practice { profile { id } services { id } engagements { id client { email } } "
        "invitations { id } clients { edges { node { id email } } } } }",
        professional_only(ALLOWED, stranger=ALLOWED)),
    "myEngagements": case("{ myEngagements { id professional { displayName } } }",
                          owners(ALLOWED, strangers=ALLOWED, signed_out=SIGNED_OUT)
                          | {"unrelated_professional": EMPTY, "owning_professional": EMPTY}),
    "publicService": case("query($s: String!) { publicService(slug: $s) { title } }",
                          anyone(ALLOWED), s="@service_slug"),
    "invitationPreview": case("query($t: String!) { invitationPreview(token: $t) { email } }",
                              anyone(ALLOWED), t="@invitation_token"),
    "node(Session)": case(
        "query($id: ID!) { node(id: $id) { id ... on Session { "
        "engagement { client { email } } client { email } professional { displayName } } } }",
        owners(ALLOWED, strangers=EMPTY, signed_out=EMPTY), id="@session"),
    "node(Payment)": case(
        "query($id: ID!) { node(id: $id) { id ... on Payment { receiptUrl "
        "session { id client { email } } } } }",
        owners(ALLOWED, strangers=EMPTY, signed_out=EMPTY), id="@payment"),
    "node(Note)": case("query($id: ID!) { node(id: $id) { id ... on Note { title body } } }",
                       the_professional(ALLOWED, others=EMPTY, signed_out=EMPTY), id="@note"),
    "node(ClientProfile)": case(
        "query($id: ID!) { node(id: $id) { id ... on ClientProfile { email "
        "notes(first: 5) { edges { node { id } } } } } }",
        the_professional(ALLOWED, others=EMPTY, signed_out=EMPTY), id="@client_profile"),
    "node(Engagement)": case(
        "query($id: ID!) { node(id: $id) { id ... on Engagement { client { email } "
        "registrationDetails { phone } } } }",
        owners(ALLOWED, strangers=EMPTY, signed_out=EMPTY), id="@engagement"),
    "node(Invitation)": case("query($id: ID!) { node(id: $id) { id ... on Invitation { email } } }",
                             the_professional(ALLOWED, others=EMPTY, signed_out=EMPTY),
                             id="@invitation"),
    "node(Service)": case("query($id: ID!) { node(id: $id) { id ... on Service { title } } }",
                          owners(ALLOWED, strangers=EMPTY, signed_out=EMPTY),
                          id="@service"),
    "node(CalendarFeed)": case(
        "query($id: ID!) { node(id: $id) { id ... on CalendarFeed { createdAt } } }",
        owners(EMPTY, strangers=EMPTY, signed_out=EMPTY) | {"owning_client": ALLOWED},
        id="@feed"),
    "availability": case("{ availability { timeZone } }",
                         professional_only(ALLOWED, stranger=ALLOWED)),
    "availableSlots": case(
        "query($id: ID!, $from: DateTime!, $to: DateTime!) { "
        "availableSlots(serviceId: $id, from: $from, to: $to) { startsAt } }",
        the_professional(ALLOWED, others=EMPTY, signed_out=EMPTY),
        id="@service", **{"from": "@slots_from", "to": "@slots_to"}),
    "calendarFeeds": case("{ calendarFeeds { id } }", own_account(signed_in=EMPTY)
                          | {"owning_client": ALLOWED, "unrelated_client": ALLOWED}),
    "clientProfile": case(
        "query($id: ID!) { clientProfile(id: $id) { email engagements { id } "
        "sessions(first: 5) { edges { node { id } } } payments(first: 5) { edges { node { id } } }"
        " notes(first: 5) { edges { node { id } } } } }",
        the_professional(ALLOWED, others=EMPTY, signed_out=EMPTY), id="@client_profile"),
    "cardPaymentsEnabled": case("{ cardPaymentsEnabled }", anyone(ALLOWED)),
    "myCard": case("{ myCard { last4 } }", own_account(signed_in=EMPTY)),
    "payments": case("query($id: ID!) { payments(sessionId: $id) { id } }",
                     owners(ALLOWED, strangers=EMPTY), id="@session"),
    "myPayments": case("{ myPayments(first: 5) { edges { node { id session { id } } } } }",
                       own_account() | {"unrelated_professional": EMPTY,
                                        "owning_professional": EMPTY}),
    "myPaymentTotals": case("{ myPaymentTotals { count } }",
                            own_account() | {"unrelated_professional": EMPTY,
                                             "owning_professional": EMPTY}),
    "hub": case("{ hub { engagements { id } pastSessions(first: 5) { edges { node { id } } } "
                "payments(first: 5) { edges { node { id session { id } } } } } }",
                own_account()),
    "dataExports": case("{ dataExports(first: 5) { edges { node { id } } } }",
                        own_account() | {"unrelated_professional": EMPTY,
                                         "owning_professional": EMPTY}),
}

DETAILS = {"phone": "+354 555 1234", "dateOfBirth": "1990-04-01",
           "customAnswers": [{"questionId": "@question", "answer": "Sleeping badly"}]}
FUTURE = "2030-01-08T10:00:00Z"

MUTATIONS: dict[str, Case] = {
    # The caller's own account: nobody else's object can be named.
    "register": case("mutation($i: RegisterInput!) { register(input: $i) { accepted } }",
                     own_account(signed_out=ALLOWED, signed_in=NOT_APPLICABLE),
                     i={"email": "new@example.com", "password": PASSWORD, "name": "New",
                        "timeZone": "UTC", "locale": "en", "roles": ["CLIENT"],
                        **CURRENT_TERMS}),
    "login": case("mutation($i: LoginInput!) { login(input: $i) { token } }",
                  own_account(signed_out=user_error("INVALID_CREDENTIALS"),
                              signed_in=NOT_APPLICABLE),
                  i={"email": "anna@example.com", "password": "wrong password"}),
    "verifySecondFactor": case(
        "mutation($i: VerifySecondFactorInput!) { verifySecondFactor(input: $i) { token } }",
        own_account(signed_out=user_error("CHALLENGE_EXPIRED"), signed_in=NOT_APPLICABLE),
        i={"challenge": "A" * 43, "code": "123456"}),
    "logout": case("mutation { logout(input: {allDevices: false}) { signedOut } }",
                   own_account(signed_in=NOT_APPLICABLE)),
    "changePassword": case(
        "mutation($i: ChangePasswordInput!) { changePassword(input: $i) { viewer { id } } }",
        own_account(signed_in=NOT_APPLICABLE),
        i={"currentPassword": PASSWORD, "newPassword": "another horse battery"}),
    "updateProfile": case(
        "mutation { updateProfile(input: {name: \"Changed\"}) { viewer { name } } }",
        own_account(signed_in=NOT_APPLICABLE)),
    "becomeProfessional": case(
        "mutation($p: String!) { becomeProfessional(input: {password: $p}) { viewer { id } } }",
        own_account(signed_in=NOT_APPLICABLE), p=PASSWORD),
    "startTotpEnrolment": case(
        "mutation($p: String!) { startTotpEnrolment(input: {password: $p}) { secret } }",
        own_account(signed_in=NOT_APPLICABLE), p=PASSWORD),
    "confirmTotpEnrolment": case(
        "mutation { confirmTotpEnrolment(input: {code: \"123456\"}) { recoveryCodes } }",
        own_account(signed_in=NOT_APPLICABLE)),
    "disableTotp": case(
        "mutation($p: String!) { disableTotp(input: {password: $p}) { viewer { id } } }",
        own_account(signed_in=NOT_APPLICABLE), p=PASSWORD),
    "confirmEmail": case(
        "mutation { confirmEmail(input: {token: \"" + "A" * 43 + "\"}) { emailConfirmed } }",
        own_account(signed_out=user_error("INVALID_TOKEN"), signed_in=NOT_APPLICABLE)),
    "requestPasswordReset": case(
        "mutation { requestPasswordReset(input: {email: \"anna@example.com\"}) { accepted } }",
        own_account(signed_out=ALLOWED, signed_in=NOT_APPLICABLE)),
    "resetPassword": case(
        "mutation($i: ResetPasswordInput!) { resetPassword(input: $i) { passwordChanged } }",
        own_account(signed_out=user_error("INVALID_TOKEN"), signed_in=NOT_APPLICABLE),
        i={"token": "A" * 43, "newPassword": "another horse battery",
           "acceptLockedNotes": True}),
    # eID sign-in: no provider is configured in this world, so every attempt is refused alike;
    # tests/test_external_sign_in.py runs the flows against a real provider.
    "startExternalSignIn": case(
        "mutation { startExternalSignIn(input: {provider: \"island\", "
        "redirectUri: \"https://spa.example/eid\"}) { authorizationUrl } }",
        anyone(user_error("NOT_ENABLED"))),
    "completeExternalSignIn": case(
        "mutation { completeExternalSignIn(input: {state: \"nothing\", code: \"x\"}) "
        "{ token } }", anyone(user_error("INVALID_TOKEN"))),
    "registerWithExternalIdentity": case(
        "mutation($i: RegisterWithExternalIdentityInput!) { registerWithExternalIdentity("
        "input: $i) { accepted } }", anyone(user_error("INVALID_TOKEN")),
        i={"registration": "A" * 43, "email": "eid@example.com", "timeZone": "UTC",
           **CURRENT_TERMS}),
    "linkExternalIdentity": case(
        "mutation($p: String!) { linkExternalIdentity(input: {state: \"nothing\", "
        "code: \"x\", identity: {password: $p}}) { externalIdentity { provider } } }",
        own_account(signed_in=user_error("EXTERNAL_SIGN_IN_FAILED")), p=PASSWORD),
    "unlinkExternalIdentity": case(
        "mutation { unlinkExternalIdentity(input: {provider: \"island\"}) { unlinked } }",
        own_account(signed_in=user_error("NOT_FOUND"))),
    "acceptTerms": case(
        "mutation($i: AcceptTermsInput!) { acceptTerms(input: $i) { consentRequired } }",
        own_account(signed_in=NOT_APPLICABLE), i=CURRENT_TERMS),
    "createService": case(
        "mutation($i: CreateServiceInput!) { createService(input: $i) { service { id } } }",
        professional_only(stranger=NOT_APPLICABLE),
        i={"title": "Extra", "kind": "PSYCHOLOGY", "sessionMinutes": 50,
           "price": {"amount": 1000, "currency": "ISK"}, "description": "",
           "vatRateBasisPoints": 0, "selfBooking": False, "cancellationWindowHours": 24,
           "cardRequired": False, "autoCharge": False, "requiredDetails": [],
           "customQuestions": [], "detailsPurpose": ""}),
    "updateProfessionalProfile": case(
        "mutation { updateProfessionalProfile(input: {practiceName: \"X\"}) { profile { id } } }",
        professional_only(stranger=NOT_APPLICABLE)),
    "rotateNoteKey": case(
        "mutation($p: String!) { rotateNoteKey(input: {password: $p}) { keyVersion } }",
        professional_only(stranger=NOT_APPLICABLE), p=PASSWORD),
    "recoverOldNotes": case(
        "mutation { recoverOldNotes(input: {noteRecoveryKey: \"x\"}) { notesRecovered } }",
        professional_only(stranger=NOT_APPLICABLE)),
    "setAvailability": case(
        "mutation { setAvailability(input: {weeklyHours: [], bufferMinutes: 0, horizonDays: 30})"
        " { availability { timeZone } } }",
        professional_only(stranger=NOT_APPLICABLE)),
    "addAvailabilityException": case(
        "mutation { addAvailabilityException(input: {date: \"2030-01-01\", kind: CLOSED}) "
        "{ exception { id } } }",
        professional_only(stranger=NOT_APPLICABLE)),
    "createCalendarFeed": case("mutation { createCalendarFeed { url } }",
                               own_account(signed_in=NOT_APPLICABLE)),
    "startCardSetup": case("mutation { startCardSetup { clientSecret } }",
                           own_account(signed_in=NOT_APPLICABLE)),
    "removeCard": case("mutation { removeCard { removed } }",
                       own_account(signed_in=NOT_APPLICABLE)),
    "exportMyData": case(
        "mutation($p: String!) { exportMyData(input: {identity: {password: $p}}) "
        "{ dataExport { id } } }", own_account(signed_in=NOT_APPLICABLE), p=PASSWORD),
    "deleteMyAccount": case(
        "mutation($p: String!) { deleteMyAccount(input: {identity: {password: $p}}) "
        "{ deleted } }", own_account(signed_in=NOT_APPLICABLE), p=PASSWORD),
    # Reached through a link anyone may hold: the token is the authority.
    "requestService": case(
        "mutation($i: RequestServiceInput!) { requestService(input: $i) { engagement { id } } }",
        own_account(signed_in=NOT_APPLICABLE),
        i={"slug": "@service_slug", "details": DETAILS, "message": ""}) | {"link": True},
    "acceptInvitation": case(
        "mutation($i: AcceptInvitationInput!) { acceptInvitation(input: $i) { token } }",
        # Whoever holds the link may accept it with the account they are signed in to
        # (tests/test_invitations.py); signed out, it asks for a new account.
        own_account(signed_out=user_error("INVALID_INPUT"), signed_in=NOT_APPLICABLE),
        i={"token": "@invitation_token", "details": DETAILS}) | {"link": True},
    # Practice A's objects, named by everyone else.
    "updateService": case(
        "mutation($i: UpdateServiceInput!) { updateService(input: $i) { service { id } } }",
        professional_only(), i={"serviceId": "@service", "title": "Taken over"}),
    "archiveService": case(
        "mutation($i: ArchiveServiceInput!) { archiveService(input: $i) { service { id } } }",
        professional_only(), i={"serviceId": "@service"}),
    "inviteClient": case(
        "mutation($i: InviteClientInput!) { inviteClient(input: $i) { invitation { id } } }",
        professional_only(),
        i={"serviceId": "@service", "email": "x@example.com", "name": "X", "message": ""}),
    "revokeInvitation": case(
        "mutation($i: RevokeInvitationInput!) { revokeInvitation(input: $i) "
        "{ invitation { id } } }", professional_only(), i={"invitationId": "@invitation"}),
    "resendInvitation": case(
        "mutation($i: ResendInvitationInput!) { resendInvitation(input: $i) "
        "{ invitation { id } } }", professional_only(), i={"invitationId": "@invitation"}),
    "approveRequest": case(
        "mutation($i: ApproveRequestInput!) { approveRequest(input: $i) { engagement { id } } }",
        professional_only(), i={"engagementId": "@engagement"}),
    "declineRequest": case(
        "mutation($i: DeclineRequestInput!) { declineRequest(input: $i) { engagement { id } } }",
        professional_only(), i={"engagementId": "@engagement", "reason": "No"}),
    "endEngagement": case(
        "mutation($i: EndEngagementInput!) { endEngagement(input: $i) { engagement { id } } }",
        owners(NOT_APPLICABLE, strangers=NOT_YOURS),
        i={"engagementId": "@engagement", "reason": "Taken over"}),
    "removeAvailabilityException": case(
        "mutation($i: RemoveAvailabilityExceptionInput!) { removeAvailabilityException("
        "input: $i) { availability { timeZone } } }",
        professional_only(), i={"id": "@availability_exception"}),
    "bookSession": case(
        "mutation($i: BookSessionInput!) { bookSession(input: $i) { session { id } } }",
        owners(NOT_APPLICABLE, strangers=NOT_YOURS),
        i={"engagementId": "@engagement", "startsAt": FUTURE}),
    "bookSeries": case(
        "mutation($i: BookSeriesInput!) { bookSeries(input: $i) { sessions { id } } }",
        owners(NOT_APPLICABLE, strangers=NOT_YOURS),
        i={"engagementId": "@engagement", "startsAt": FUTURE, "everyWeeks": 1, "count": 2}),
    "rescheduleSession": case(
        "mutation($i: RescheduleSessionInput!) { rescheduleSession(input: $i) "
        "{ session { id } } }", owners(NOT_APPLICABLE, strangers=NOT_YOURS),
        i={"sessionId": "@session", "startsAt": FUTURE}),
    "cancelSession": case(
        "mutation($i: CancelSessionInput!) { cancelSession(input: $i) { session { id } } }",
        owners(NOT_APPLICABLE, strangers=NOT_YOURS),
        i={"sessionId": "@session", "reason": "Taken over"}),
    "cancelSeries": case(
        "mutation($i: CancelSeriesInput!) { cancelSeries(input: $i) { sessions { id } } }",
        owners(NOT_APPLICABLE, strangers=NOT_YOURS),
        i={"seriesId": "@series", "from": FUTURE, "reason": "Taken over"}),
    "completeSession": case(
        "mutation($i: SessionIdInput!) { completeSession(input: $i) { session { id } } }",
        professional_only(client=NOT_YOURS) | {"owning_client": user_error("NOT_ALLOWED")},
        i={"sessionId": "@session"}),
    "markNoShow": case(
        "mutation($i: SessionIdInput!) { markNoShow(input: $i) { session { id } } }",
        professional_only(client=NOT_YOURS) | {"owning_client": user_error("NOT_ALLOWED")},
        i={"sessionId": "@session"}),
    "revokeCalendarFeed": case(
        "mutation($i: RevokeCalendarFeedInput!) { revokeCalendarFeed(input: $i) "
        "{ feed { id } } }", owners(NOT_YOURS, strangers=NOT_YOURS)
        | {"owning_client": NOT_APPLICABLE}, i={"id": "@feed"}),
    "writeNote": case(
        "mutation($i: WriteNoteInput!) { writeNote(input: $i) { note { id } } }",
        professional_only(),
        i={"clientId": "@client_profile", "date": "2026-11-20", "title": "T", "body": "B"}),
    "updateNote": case(
        "mutation($i: UpdateNoteInput!) { updateNote(input: $i) { note { id } } }",
        professional_only(), i={"noteId": "@note", "title": "Taken over"}),
    "deleteNote": case(
        "mutation($i: DeleteNoteInput!) { deleteNote(input: $i) { deletedNoteId } }",
        professional_only(), i={"noteId": "@note"}),
    "chargeSession": case(
        "mutation($i: ChargeSessionInput!) { chargeSession(input: $i) { payment { id } } }",
        professional_only(), i={"sessionId": "@session"}),
    "recordManualPayment": case(
        "mutation($i: RecordManualPaymentInput!) { recordManualPayment(input: $i) "
        "{ payment { id } } }", professional_only(),
        i={"sessionId": "@session", "method": "CASH"}),
    "refundPayment": case(
        "mutation($i: RefundPaymentInput!) { refundPayment(input: $i) { payment { id } } }",
        professional_only(), i={"paymentId": "@payment"}),
    "cancelPayment": case(
        "mutation($i: CancelPaymentInput!) { cancelPayment(input: $i) { payment { id } } }",
        professional_only(), i={"paymentId": "@payment"}),
    "joinSession": case(
        "mutation($i: JoinSessionInput!) { joinSession(input: $i) { call { role } } }",
        owners(NOT_APPLICABLE, strangers=NOT_YOURS),
        i={"sessionId": "@session", "devicePublicKey": "A" * 43}),
    "leaveSession": case(
        "mutation($i: LeaveSessionInput!) { leaveSession(input: $i) { call { role } } }",
        owners(NOT_APPLICABLE, strangers=NOT_YOURS), i={"sessionId": "@session"}),
    "sendSignal": case(
        "mutation($i: SendSignalInput!) { sendSignal(input: $i) { accepted } }",
        owners(NOT_APPLICABLE, strangers=NOT_YOURS), i={"sessionId": "@session", "payload": "AA"}),
}

SUBSCRIPTIONS: dict[str, Case] = {
    "hubUpdates": case("subscription { hubUpdates { kind } }", own_account()),
    "signals": case(
        "subscription($id: ID!) { signals(sessionId: $id) { kind } }",
        owners(NOT_APPLICABLE, strangers=refused("NOT_FOUND")), id="@session"),
}

ROUTES: dict[str, Case] = {
    # The GraphQL endpoint itself: every field above.
    "/graphql": {"path": None, **anyone(NOT_APPLICABLE)},
    "/health": {"path": "/health", **anyone(status(200))},
    "/health/ready": {"path": "/health/ready", **anyone(PUBLIC)},
    # Capability links: whoever holds the link may, a bearer token changes nothing, and a
    # missing or altered link answers like a link that never existed.
    "/calendar/{token}.ics": {"path": "@feed_path", "miss": status(404), **anyone(status(200))},
    "/receipts/{payment_id}.pdf": {"path": "@receipt_path", "miss": status(403),
                                   **anyone(status(200))},
    "/exports/{token}.zip": {"path": "@export_path", "miss": status(404), **anyone(status(200))},
    # Stripe's calls: the signature is the authority, so an unsigned body is refused for all.
    "/webhooks/stripe": {"path": "/webhooks/stripe", "method": "POST", **anyone(status(400))},
    # Operators' metrics: without METRICS_TOKEN or METRICS_NETWORKS nobody sees them.
    "/metrics": {"path": "/metrics", **anyone(status(404))},
    # A session's "Add to calendar" file: a signed link anyone holding it may open.
    "/sessions/{session_id}.ics": {"path": "@session_calendar_path", "miss": status(404),
                                   **anyone(status(200))},
    # Static files of the development pages: public.
    "/live": {"path": "/live/", **anyone(status(200))},
    "/live/vendor/graphql-ws": {"path": "/live/vendor/graphql-ws/client.mjs",
                                **anyone(NOT_APPLICABLE)},
    "/graphiql/assets/{name}": {"path": "/graphiql/assets/start.js", **anyone(status(200))},
}


def asking_for_user_errors(query: str) -> str:
    """The mutation with `userErrors { code }` selected too, so a refusal in the payload shows."""
    document = parse(query)
    [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    root = operation.selection_set.selections[0]
    assert isinstance(root, FieldNode)
    assert root.selection_set is not None
    codes = SelectionSetNode(selections=(FieldNode(name=NameNode(value="code")),))
    asked = SelectionSetNode(selections=(*root.selection_set.selections, FieldNode(
        name=NameNode(value="userErrors"), selection_set=codes)))
    field = FieldNode(name=root.name, arguments=root.arguments, selection_set=asked)
    return print_ast(OperationDefinitionNode(
        operation=operation.operation, variable_definitions=operation.variable_definitions,
        selection_set=SelectionSetNode(selections=(field,))))


for _row in MUTATIONS.values():
    _row["query"] = asking_for_user_errors(_row["query"])
