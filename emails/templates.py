"""The email texts, per language. `{name}`-style fields are filled by `emails.render`.

A paragraph is left out when one of its fields is empty (no personal message, no reason), so
templates need no conditionals.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Template:
    language: str
    subject: str
    paragraphs: tuple[str, ...]
    action: str = ""
    """Button label; the button links to the `link` value."""
    after: tuple[str, ...] = ()
    greeting: str = ""
    link_hint: str = ""
    signature: str = ""


@dataclass(frozen=True)
class _Language:
    code: str
    greeting: str
    link_hint: str
    signature: str
    templates: dict[str, Template] = field(default_factory=dict)

    def add(self, name: str, subject: str, *paragraphs: str, action: str = "",
            after: tuple[str, ...] = ()) -> None:
        self.templates[name] = Template(
            language=self.code, subject=subject, paragraphs=paragraphs, action=action,
            after=after, greeting=self.greeting, link_hint=self.link_hint,
            signature=self.signature,
        )


_en = _Language("en", greeting="Hello {name},",
                link_hint="If the button does not work, copy this address into your browser:",
                signature="— Therapy Hub")
_en.add("invitation", "{professional} invites you to {service}",
        "{professional} invites you to connect with the service “{service}” on Therapy Hub.",
        "Their message: “{message}”",
        action="Accept the invitation",
        after=("The link works once, for {days} days. If you did not expect this invitation, "
               "you can ignore this email.",))
_en.add("confirm_email", "Confirm your email address",
        "Thank you for signing up to Therapy Hub. Please confirm that this address is yours.",
        action="Confirm my email address",
        after=("The link works for {days} days. If you did not sign up, you can ignore this "
               "email.",))
_en.add("password_reset", "Reset your password",
        "Someone asked to set a new password for your Therapy Hub account.",
        action="Choose a new password",
        after=("The link works once, for {minutes} minutes. If you did not ask for this, "
               "ignore this email: your password stays as it is.",))
_en.add("registration_attempt", "Someone tried to sign up with your address",
        "Someone, perhaps you, just tried to create a Therapy Hub account with this email "
        "address. You already have an account, so nothing was created and nothing changed.",
        "Sign in with your password as usual. If you have forgotten it, choose a new one here:",
        action="Choose a new password",
        after=("The link works once, for {minutes} minutes. If this was not you, ignore this "
               "email: whoever tried was not told that you have an account.",))
_en.add("password_changed", "Your password was changed",
        "The password of your Therapy Hub account was just changed, and every device was "
        "signed out.",
        "If this was not you, ask for a new password right away and contact us.")
_en.add("request_received", "New request: {service}",
        "{client} asks to connect with your service “{service}”.",
        "Their message: “{message}”",
        action="See your requests")
_en.add("request_approved", "{professional} accepted your request",
        "{professional} accepted your request for “{service}”. You will find it in your hub.",
        action="Open my hub")
_en.add("request_declined", "Your request for {service}",
        "{professional} cannot take on your request for “{service}” at the moment.",
        "Their reason: “{reason}”",
        "You are welcome to ask again later.")
_en.add("engagement_ended", "{service} has ended",
        "{other} ended the connection for the service “{service}”.",
        "Their reason: “{reason}”")
_en.add("invitation_accepted", "{client} accepted your invitation",
        "{client} accepted your invitation to “{service}” and is now your client.",
        "They joined with the account {account_email}, not the address you invited "
        "({invited_email}). If that is not who you meant to invite, end the engagement.",
        action="See your clients")

_is = _Language("is", greeting="Halló {name},",
                link_hint="Ef hnappurinn virkar ekki skaltu afrita þessa slóð í vafrann:",
                signature="— Therapy Hub")
_is.add("invitation", "Boð um þjónustu: {service}",
        "{professional} býður þér að tengjast þjónustunni „{service}“ á Therapy Hub.",
        "Skilaboð: „{message}“",
        action="Þiggja boðið",
        after=("Hlekkurinn virkar einu sinni og gildir í {days} daga. Ef þú áttir ekki von á "
               "þessu boði geturðu hunsað þennan póst.",))
_is.add("confirm_email", "Staðfestu netfangið þitt",
        "Takk fyrir að skrá þig á Therapy Hub. Vinsamlegast staðfestu að þetta netfang sé þitt.",
        action="Staðfesta netfang",
        after=("Hlekkurinn gildir í {days} daga. Ef þú skráðir þig ekki geturðu hunsað þennan "
               "póst.",))
_is.add("password_reset", "Nýtt lykilorð",
        "Beðið var um nýtt lykilorð fyrir aðganginn þinn á Therapy Hub.",
        action="Velja nýtt lykilorð",
        after=("Hlekkurinn virkar einu sinni og gildir í {minutes} mínútur. Ef þú baðst ekki um "
               "þetta skaltu hunsa póstinn: lykilorðið þitt helst óbreytt.",))
_is.add("registration_attempt", "Reynt var að skrá netfangið þitt",
        "Einhver, kannski þú, reyndi rétt í þessu að stofna aðgang á Therapy Hub með þessu "
        "netfangi. Þú átt þegar aðgang, svo ekkert var stofnað og engu var breytt.",
        "Skráðu þig inn með lykilorðinu þínu eins og venjulega. Ef þú hefur gleymt því geturðu "
        "valið nýtt hér:",
        action="Velja nýtt lykilorð",
        after=("Hlekkurinn virkar einu sinni og gildir í {minutes} mínútur. Ef þetta varst ekki "
               "þú skaltu hunsa póstinn: sá sem reyndi fékk ekki að vita að þú eigir aðgang.",))
_is.add("password_changed", "Lykilorðinu þínu var breytt",
        "Lykilorði aðgangsins þíns á Therapy Hub var breytt og öll tæki voru skráð út.",
        "Ef þetta varst ekki þú skaltu strax biðja um nýtt lykilorð og hafa samband við okkur.")
_is.add("request_received", "Ný beiðni: {service}",
        "{client} óskar eftir að tengjast þjónustunni þinni „{service}“.",
        "Skilaboð: „{message}“",
        action="Skoða beiðnir")
_is.add("request_approved", "{professional} samþykkti beiðnina þína",
        "{professional} samþykkti beiðni þína um „{service}“. Þú finnur þjónustuna á "
        "yfirlitinu þínu.",
        action="Opna yfirlitið")
_is.add("request_declined", "Svar við beiðni þinni: {service}",
        "{professional} getur ekki tekið við beiðni þinni um „{service}“ að svo stöddu.",
        "Ástæða: „{reason}“",
        "Þér er velkomið að senda nýja beiðni síðar.")
_is.add("engagement_ended", "Tengingu lokið: {service}",
        "{other} lauk tengingunni við þjónustuna „{service}“.",
        "Ástæða: „{reason}“")
_is.add("invitation_accepted", "{client} þáði boðið þitt",
        "{client} þáði boð þitt um „{service}“ og er nú skjólstæðingur þinn.",
        "Viðkomandi tengdist með aðganginum {account_email}, ekki netfanginu sem þú bauðst "
        "({invited_email}). Ef það er ekki sá sem þú ætlaðir að bjóða skaltu ljúka tengingunni.",
        action="Skoða skjólstæðinga")

TEMPLATES: dict[str, dict[str, Template]] = {
    language.code: language.templates for language in (_en, _is)
}

# Sessions (docs/scheduling.md). Each carries an .ics attachment; reasons never go in email.
_en.add("session_booked", "Session booked: {when}",
        "Your session “{service}” with {other} is booked for {when}.",
        "The attached calendar file adds it to your calendar.",
        action="See it in the app")
_en.add("session_series_booked", "Sessions booked: {service}",
        "Your sessions “{service}” with {other} are booked:",
        "{dates}",
        "These dates could not be booked: {skipped}",
        "The attached calendar files add them to your calendar.",
        action="See them in the app")
_en.add("session_changed", "Session moved to {when}",
        "Your session “{service}” with {other} has moved to {when} (it was {before}).",
        "The attached calendar file updates your calendar.",
        action="See it in the app")
_en.add("session_cancelled", "Session cancelled: {when}",
        "Your session “{service}” with {other} on {when} is cancelled.",
        "The attached calendar file removes it from your calendar.",
        action="See your sessions")
_en.add("session_reminder", "Reminder: session on {when}",
        "This is a reminder of your session “{service}” with {other} on {when}.",
        action="Open the session")
_is.add("session_booked", "Tími bókaður: {when}",
        "Tíminn þinn „{service}“ með {other} er bókaður {when}.",
        "Dagatalsskráin í viðhenginu bætir honum í dagatalið þitt.",
        action="Skoða í appinu")
_is.add("session_series_booked", "Tímar bókaðir: {service}",
        "Tímarnir þínir „{service}“ með {other} eru bókaðir:",
        "{dates}",
        "Ekki tókst að bóka þessa daga: {skipped}",
        "Dagatalsskrárnar í viðhenginu bæta þeim í dagatalið þitt.",
        action="Skoða í appinu")
_is.add("session_changed", "Tíma breytt: {when}",
        "Tíminn þinn „{service}“ með {other} hefur verið færður á {when} (var {before}).",
        "Dagatalsskráin í viðhenginu uppfærir dagatalið þitt.",
        action="Skoða í appinu")
_is.add("session_cancelled", "Tíma aflýst: {when}",
        "Tímanum þínum „{service}“ með {other} {when} hefur verið aflýst.",
        "Dagatalsskráin í viðhenginu fjarlægir hann úr dagatalinu þínu.",
        action="Skoða tímana þína")
_is.add("session_reminder", "Áminning: tími {when}",
        "Þetta er áminning um tímann þinn „{service}“ með {other} {when}.",
        action="Opna tímann")

# Payments (docs/payments.md). Never a service title or an amount: the professional and the time.
_en.add("payment_needs_confirmation", "Confirm your payment to {professional}",
        "Your bank asks you to confirm the card payment to {professional} for your session on "
        "{when}.",
        "Open your hub and confirm the payment there. It is not paid until you do.",
        action="Open my hub")
_is.add("payment_needs_confirmation", "Staðfestu greiðslu til {professional}",
        "Bankinn þinn biður þig að staðfesta kortagreiðslu til {professional} fyrir tímann þinn "
        "{when}.",
        "Opnaðu yfirlitið þitt og staðfestu greiðsluna þar. Hún er ekki greidd fyrr en þú "
        "staðfestir hana.",
        action="Opna yfirlitið")

# Privacy (docs/privacy.md). The link is the only key to the archive: it is never shown again.
_en.add("data_export_ready", "Your data export is ready",
        "The export of your data you asked for is ready: everything Therapy Hub keeps about "
        "you, in one ZIP file.",
        action="Download my data",
        after=("The link works for {hours} hours; then the file is deleted. Anyone with the "
               "link can download it, so do not forward this email. If you did not ask for "
               "this, change your password and contact us.",))
_is.add("data_export_ready", "Gögnin þín eru tilbúin",
        "Afrit af gögnunum þínum sem þú baðst um er tilbúið: allt sem Therapy Hub geymir um "
        "þig, í einni ZIP-skrá.",
        action="Sækja gögnin mín",
        after=("Hlekkurinn gildir í {hours} klukkustundir; eftir það er skránni eytt. Hver sem "
               "hefur hlekkinn getur sótt hana, svo ekki áframsenda þennan póst. Ef þú baðst "
               "ekki um þetta skaltu breyta lykilorðinu og hafa samband við okkur.",))
